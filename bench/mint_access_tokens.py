#!/usr/bin/env python3
"""Prints COUNT distinct access tokens, one per line, by following one refresh-token chain.

    mint_access_tokens.py URL BASIC REFRESH_TOKEN COUNT

Each refresh grant (RFC 6749 §6) answers a new access token and the next refresh token, so the
tokens belong to one user and one client, as a resource server sees them, without paying a
password hash per token. One keep-alive connection: 20,000 tokens take seconds, not minutes.
"""
import http.client
import json
import sys
import urllib.parse


def main() -> None:
    url, basic, refresh, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
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


if __name__ == "__main__":
    main()
