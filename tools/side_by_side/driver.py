#!/usr/bin/env python3
"""Sends the same table of requests (cases.py) to Sesame and to the simplejwt peer and compares
what comes back: the status, the headers a client reads (HEADERS) and the body, byte for byte
for errors (for a 2xx, the JSON keys: ids, times and tokens differ by nature).

    driver.py --sesame http://127.0.0.1:PORT --peer http://127.0.0.1:PORT --language zh-hans \
        --signing-key KEY

Tokens a case needs valid ("{access}", "{refresh}", ...) are obtained from each server itself;
crafted ones (expired, no type, wrong signature) are signed with the HS256 key both servers share.
Prints each difference and a one-line summary; exits 1 when there is a difference.
"""

import argparse
import http.client
import json
import sys
import urllib.parse

from cases import CASES, crafted_tokens

# What a client of the /api/ surface reads besides the body.
HEADERS = ("Content-Type", "Content-Language", "Vary", "WWW-Authenticate", "Allow")
PASSWORD = "correct-horse-battery-9"


def send(base, method, path, headers=None, body=None):
    """One request on a fresh connection; returns (status, {header: value or None}, body bytes)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    payload = response.read()
    picked = {name: response.getheader(name) for name in HEADERS}
    conn.close()
    return response.status, picked, payload


def post_json(base, path, data):
    status, _, payload = send(
        base, "POST", path, {"Content-Type": "application/json"}, json.dumps(data).encode()
    )
    if status != 200:
        raise SystemExit(f"{base}{path}: {status} {payload[:200]!r} while obtaining tokens")
    return json.loads(payload)


def issued_tokens(base):
    """Tokens this server issues to alice, in the states the cases need."""
    pair = post_json(base, "/api/token/", {"username": "alice", "password": PASSWORD})
    sliding = post_json(base, "/api/token/sliding/", {"username": "alice", "password": PASSWORD})
    blacklisted = post_json(base, "/api/token/", {"username": "alice", "password": PASSWORD})
    post_json(base, "/api/token/blacklist/", {"refresh": blacklisted["refresh"]})
    rotated = post_json(base, "/api/token/", {"username": "alice", "password": PASSWORD})
    post_json(base, "/api/token/refresh/", {"refresh": rotated["refresh"]})
    return {
        "access": pair["access"],
        "refresh": pair["refresh"],
        "sliding": sliding["token"],
        "blacklisted_refresh": blacklisted["refresh"],
        "rotated_refresh": rotated["refresh"],
    }


def fill(value, tokens):
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.format(**tokens)
    if isinstance(value, dict):
        return {k: fill(v, tokens) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, tokens) for v in value]
    return value


def request_of(case, tokens):
    headers = fill(dict(case.get("headers", {})), tokens)
    body = None
    if "json" in case:
        body = json.dumps(fill(case["json"], tokens), ensure_ascii=False).encode()
        headers.setdefault("Content-Type", "application/json")
    elif "form" in case:
        body = urllib.parse.urlencode(fill(case["form"], tokens)).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif "raw" in case:
        # Sent as written: raw bodies are deliberately malformed, never templates.
        body = case["raw"]
        if isinstance(body, str):
            body = body.encode()
    return case.get("method", "POST"), case["path"], headers, body


def compare(case, sesame, peer):
    """The differences between two answers, as lines."""
    (s_status, s_headers, s_body), (p_status, p_headers, p_body) = sesame, peer
    diffs = []
    if s_status != p_status:
        diffs.append(f"status: sesame {s_status}, peer {p_status}")
    for name in HEADERS:
        if s_headers[name] != p_headers[name]:
            diffs.append(f"{name}: sesame {s_headers[name]!r}, peer {p_headers[name]!r}")
    if 200 <= p_status < 300 and 200 <= s_status < 300:
        s_keys, p_keys = keys(s_body), keys(p_body)
        if s_keys != p_keys:
            diffs.append(f"body keys: sesame {s_keys}, peer {p_keys}")
    elif s_body != p_body:
        diffs.append(f"body: sesame {s_body.decode(errors='replace')}")
        diffs.append(f"      peer   {p_body.decode(errors='replace')}")
    return diffs


def keys(body):
    try:
        return list(json.loads(body))
    except (ValueError, TypeError):
        return body.decode(errors="replace")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sesame", required=True)
    parser.add_argument("--peer", required=True)
    parser.add_argument("--language", required=True)
    parser.add_argument("--signing-key", required=True)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    crafted = crafted_tokens(args.signing_key)
    tokens = {
        "sesame": {**crafted, **issued_tokens(args.sesame)},
        "peer": {**crafted, **issued_tokens(args.peer)},
    }
    compared = differing = 0
    for case in CASES:
        if case.get("inherent"):
            continue
        answers = {}
        for server, base in (("sesame", args.sesame), ("peer", args.peer)):
            method, path, headers, body = request_of(case, tokens[server])
            answers[server] = send(base, method, path, headers, body)
        compared += 1
        diffs = compare(case, answers["sesame"], answers["peer"])
        if diffs:
            differing += 1
            print(f"DIFF [{args.language}] {case['name']}")
            for line in diffs:
                print(f"    {line}")
        elif args.verbose:
            status, _, body = answers["peer"]
            print(f"same [{args.language}] {case['name']}: {status} {body[:120].decode(errors='replace')}")
    skipped = sum(1 for case in CASES if case.get("inherent"))
    print(
        f"[{args.language}] {compared} requests compared, {differing} with differences"
        f" ({skipped} inherent differences listed in cases.py, not sent)"
    )
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
