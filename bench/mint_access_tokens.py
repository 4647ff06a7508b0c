#!/usr/bin/env python3
"""Prints COUNT distinct access tokens, one per line, by following one refresh-token chain.

    mint_access_tokens.py URL BASIC REFRESH_TOKEN COUNT [INTROSPECT_BASIC]

Each refresh grant (RFC 6749 §6) answers a new access token and the next refresh token, so the
tokens belong to one user and one client, as a resource server sees them, without paying a
password hash per token. One keep-alive connection: 20,000 tokens take seconds, not minutes.

With INTROSPECT_BASIC (a resource server's client_secret_basic credentials), each new token is
also introspected once, as the resource server that is shown it would: the measured run then
sees every token for at least the second time, whether it cycles through 256 tokens or 20,000.
"""
import http.client
import json
import sys
import urllib.parse


def main() -> None:
    url, basic, refresh, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    introspect_basic = sys.argv[5] if len(sys.argv) > 5 else None
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    out = sys.stdout
    for _ in range(count):
        body = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": refresh})
        conn.request("POST", "/oauth/token", body, headers)
        response = conn.getresponse()
        answer = response.read()
        if response.status != 200:
            sys.exit(f"refresh grant answered {response.status}: {answer[:200]!r}")
        tokens = json.loads(answer)
        out.write(tokens["access_token"] + "\n")
        refresh = tokens["refresh_token"]
        if introspect_basic:
            introspect(conn, introspect_basic, tokens["access_token"])


def introspect(conn: http.client.HTTPConnection, basic: str, token: str) -> None:
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    conn.request("POST", "/oauth/introspect", urllib.parse.urlencode({"token": token}), headers)
    response = conn.getresponse()
    answer = response.read()
    if response.status != 200 or not json.loads(answer).get("active"):
        sys.exit(f"introspection answered {response.status}: {answer[:200]!r}")


if __name__ == "__main__":
    main()
