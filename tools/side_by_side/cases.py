"""The table of requests driver.py sends to both servers: every error of /api/token/, /refresh/,
/verify/, /blacklist/, /sliding/, /api/me/ and /api/register/, and a few successes (compared by
status and JSON keys). "{name}" in a header or body is a token: issued by each server itself
(access, refresh, sliding, blacklisted_refresh, rotated_refresh) or crafted here (crafted_tokens).

A case marked "inherent" is a difference by design; it stays in the table with its reason and
is not sent.
"""

import time
import uuid

import jwt

ALICE = "1"  # alice's id on both servers: the first user created on a fresh database
PASSWORD = "correct-horse-battery-9"
HOUR = 3600


def crafted_tokens(key):
    """Tokens in the states a server never hands out, signed with the shared HS256 key."""
    now = int(time.time())

    def sign(claims, secret=key):
        base = {"iat": now - 2 * HOUR, "jti": uuid.uuid4().hex, "user_id": ALICE}
        return jwt.encode({**base, **claims}, secret, algorithm="HS256")

    return {
        "expired_access": sign({"token_type": "access", "exp": now - HOUR}),
        "expired_refresh": sign({"token_type": "refresh", "exp": now - HOUR}),
        "expired_sliding": sign(
            {"token_type": "sliding", "exp": now - HOUR, "refresh_exp": now - 60}
        ),
        "no_exp_refresh": sign({"token_type": "refresh"}),
        "no_type_refresh": sign({"exp": now + HOUR}),
        "wrong_key_access": sign({"token_type": "access", "exp": now + HOUR}, "x" * 40),
        "wrong_key_refresh": sign({"token_type": "refresh", "exp": now + HOUR}, "x" * 40),
        "garbage": "not-a-token",
        "malformed": "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl",
    }


def login_cases(path):
    """The errors of a credentials view (TokenObtainPairView, TokenObtainSlidingView)."""
    return [
        {"name": f"{path} no body", "path": path},
        {"name": f"{path} empty object", "path": path, "json": {}},
        {"name": f"{path} missing password", "path": path, "json": {"username": "alice"}},
        {"name": f"{path} blank fields", "path": path, "json": {"username": " ", "password": ""}},
        {"name": f"{path} null field", "path": path, "json": {"username": None, "password": "x"}},
        {"name": f"{path} list field", "path": path, "json": {"username": ["a"], "password": "x"}},
        {"name": f"{path} number username", "path": path, "json": {"username": 7, "password": "x"}},
        {
            "name": f"{path} wrong password",
            "path": path,
            "json": {"username": "alice", "password": "wrong-password"},
        },
        {
            "name": f"{path} unknown user",
            "path": path,
            "json": {"username": f"nobody{len(path)}", "password": PASSWORD},
        },
        {
            "name": f"{path} inactive user, right password",
            "path": path,
            "json": {"username": "bob", "password": PASSWORD},
        },
        {
            "name": f"{path} form body, missing password",
            "path": path,
            "form": {"username": "alice"},
        },
        {"name": f"{path} JSON array", "path": path, "json": ["alice"]},
        {"name": f"{path} JSON null", "path": path, "raw": "null",
         "headers": {"Content-Type": "application/json"}},
        {"name": f"{path} malformed JSON", "path": path, "raw": '{"username": "alice",',
         "headers": {"Content-Type": "application/json"}},
        {"name": f"{path} text/plain (415)", "path": path, "raw": "username=alice",
         "headers": {"Content-Type": "text/plain"}},
        {"name": f"{path} GET (405)", "path": path, "method": "GET"},
        {"name": f"{path} PUT (405)", "path": path, "method": "PUT", "json": {}},
    ]


def token_cases(path, field, tokens):
    """One view taking a token in `field`, fed each token in `tokens`."""
    cases = [
        {"name": f"{path} empty object", "path": path, "json": {}},
        {"name": f"{path} blank {field}", "path": path, "json": {field: ""}},
        {"name": f"{path} null {field}", "path": path, "json": {field: None}},
        {"name": f"{path} malformed JSON", "path": path, "raw": "{",
         "headers": {"Content-Type": "application/json"}},
        {"name": f"{path} text/plain (415)", "path": path, "raw": "x",
         "headers": {"Content-Type": "text/plain"}},
        {"name": f"{path} GET (405)", "path": path, "method": "GET"},
        {"name": f"{path} DELETE (405)", "path": path, "method": "DELETE"},
    ]
    for token in tokens:
        cases.append(
            {"name": f"{path} {token}", "path": path, "json": {field: "{" + token + "}"}}
        )
    return cases


def me_cases():
    path = "/api/me/"
    auth = lambda value: {"Authorization": value}  # noqa: E731
    return [
        {"name": "me no Authorization", "path": path, "method": "GET"},
        {"name": "me other scheme", "path": path, "method": "GET", "headers": auth("Token abc")},
        {"name": "me empty header", "path": path, "method": "GET", "headers": auth("")},
        {"name": "me Bearer alone", "path": path, "method": "GET", "headers": auth("Bearer")},
        {"name": "me too many parts", "path": path, "method": "GET",
         "headers": auth("Bearer {access} extra")},
        {"name": "me lower-case scheme", "path": path, "method": "GET",
         "headers": auth("bearer {access}")},
        {"name": "me garbage token", "path": path, "method": "GET",
         "headers": auth("Bearer {garbage}")},
        {"name": "me malformed token", "path": path, "method": "GET",
         "headers": auth("Bearer {malformed}")},
        {"name": "me expired access", "path": path, "method": "GET",
         "headers": auth("Bearer {expired_access}")},
        {"name": "me wrong key", "path": path, "method": "GET",
         "headers": auth("Bearer {wrong_key_access}")},
        {"name": "me refresh token", "path": path, "method": "GET",
         "headers": auth("Bearer {refresh}")},
        {"name": "me sliding token", "path": path, "method": "GET",
         "headers": auth("Bearer {sliding}")},
        {"name": "me POST anonymous", "path": path, "method": "POST", "json": {}},
        {"name": "me DELETE authenticated (405)", "path": path, "method": "DELETE",
         "headers": auth("Bearer {access}")},
        {"name": "me GET ok", "path": path, "method": "GET", "headers": auth("Bearer {access}")},
    ]


def register(name, data, **extra):
    return {"name": f"register {name}", "path": "/api/register/", "json": data, **extra}


def register_cases():
    ok = "Quiet-Lantern-42"
    return [
        register("empty object", {}),
        register("missing password", {"username": "carol"}),
        register("blank username", {"username": "  ", "password": ok}),
        register("username with a space", {"username": "carol smith", "password": ok}),
        register("username too long", {"username": "c" * 151, "password": ok}),
        register("taken username", {"username": "alice", "password": ok}),
        register("bad email", {"username": "carol", "password": ok, "email": "carol@"}),
        register("taken email", {"username": "carol", "password": ok,
                                 "email": "alice@example.com"}),
        register("password too short", {"username": "carol", "password": "Xq7!"}),
        register("password too common", {"username": "carol", "password": "password1"}),
        register("password numeric", {"username": "carol", "password": "84736251907"}),
        register("password like username",
                 {"username": "margaret_thatcher", "password": "margaret_thatcher1"}),
        register("password like email", {"username": "carol", "password": "carol.jones@mail",
                                         "email": "carol.jones@mail.example.com"}),
        register("password short, common, numeric", {"username": "carol", "password": "1234"}),
        register("JSON array", ["carol"]),
        register("malformed JSON", None, raw="{", headers={"Content-Type": "application/json"}),
        register("text/plain (415)", None, raw="x", headers={"Content-Type": "text/plain"}),
        {"name": "register GET (405)", "path": "/api/register/", "method": "GET"},
        register("ok (201)", {"username": "dave", "password": ok, "email": "dave@example.com"}),
        register("taken username after register", {"username": "dave", "password": ok}),
    ]


CASES = (
    login_cases("/api/token/")
    + login_cases("/api/token/sliding/")
    + token_cases(
        "/api/token/refresh/",
        "refresh",
        ["garbage", "malformed", "wrong_key_refresh", "expired_refresh", "no_exp_refresh",
         "no_type_refresh", "access", "sliding", "blacklisted_refresh", "rotated_refresh"],
    )
    + token_cases(
        "/api/token/verify/",
        "token",
        ["garbage", "malformed", "wrong_key_access", "expired_access", "expired_refresh",
         "no_exp_refresh", "access", "refresh", "sliding", "blacklisted_refresh"],
    )
    + token_cases(
        "/api/token/blacklist/",
        "refresh",
        ["garbage", "malformed", "wrong_key_refresh", "expired_refresh", "no_type_refresh",
         "access", "sliding", "blacklisted_refresh"],
    )
    + token_cases(
        "/api/token/sliding/refresh/",
        "token",
        ["garbage", "malformed", "expired_sliding", "access", "refresh"],
    )
    + me_cases()
    + register_cases()
    + [
        {
            "name": "/api/token/refresh/ a refresh token the other server issued",
            "path": "/api/token/refresh/",
            "inherent": "simplejwt trusts any well-signed refresh token; Sesame's refresh tokens"
            " are rows of its database, so one it never issued is 'Token is invalid'",
        },
        {
            "name": "/api/register/ phone",
            "path": "/api/register/",
            "inherent": "phone is Sesame's own field (auth.User has none)",
        },
    ]
)
