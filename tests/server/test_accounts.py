"""Accounts and sessions: registration rules, login and its rate limits, socket authentication, logout,
sessions, password changes, user search, and identity taken only from the session."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
import pytest
import socketio
from tests.conftest import PASSWORD, unique_name
from tests.server.conftest import api, new_client_id, open_socket, register


async def post(server: Any, path: str, body: Any, token: str | None = None) -> httpx.Response:
    async with api(server, token) as http:
        return await http.post(path, json=body)


async def login(server: Any, username: str, password: str = PASSWORD) -> httpx.Response:
    return await post(server, "/api/login", {"username": username, "password": password})


async def refused_reason(server: Any, auth: Any) -> dict[str, Any]:
    """Try to connect a socket with ``auth``; the connection must be refused; returns the reason."""
    sio = socketio.AsyncClient(reconnection=False)
    reasons: list[Any] = []
    sio.on("connect_error", lambda data=None: reasons.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)
    assert not sio.connected
    assert reasons and isinstance(reasons[-1], dict), reasons
    return reasons[-1]


async def wait_for(predicate: Any, within: float = 10) -> bool:
    for _ in range(int(within / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


# --- registration ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "_", ".", "-", "A9"])
async def test_register_accepts_letters_digits_and_underscore_dot_dash(server, suffix: str) -> None:
    name = unique_name("Ok") + suffix
    r = await post(server, "/api/register", {"username": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    assert r.json()["user"]["username"] == name and r.json()["user"]["display_name"] == name
    assert isinstance(r.json()["token"], str) and len(r.json()["token"]) >= 32


async def test_register_length_bounds(server) -> None:
    three = "z" + new_client_id()[:2]  # random: 36**2 names, a clash with an earlier run's name is tolerated
    thirty_two = (unique_name("len") + "x" * 32)[:32]
    for name in (three, thirty_two):
        r = await post(server, "/api/register", {"username": name, "password": PASSWORD})
        assert r.status_code == 201 or r.json()["error"]["code"] == "username_taken", r.text
    for name in ("ab", "x" * 33, ""):
        r = await post(server, "/api/register", {"username": name, "password": PASSWORD})
        assert r.status_code == 400, (name, r.text)
        assert r.json()["error"]["code"] in ("invalid_payload", "invalid_username")


@pytest.mark.parametrize(
    "name",
    [
        "has space",
        "jürgen",
        "name\n",
        "a/b",
        "a@b",
        "semi;colon",
        "tab\tname",
        "\uff46\uff55\uff4c\uff4c",
        "😀😀😀",
        "a'b",
    ],
)
async def test_register_refuses_other_characters(server, name: str) -> None:
    r = await post(server, "/api/register", {"username": name, "password": PASSWORD})
    assert r.status_code == 400, (name, r.text)
    assert r.json()["error"]["code"] in ("invalid_payload", "invalid_username")


async def test_usernames_are_unique_case_insensitively(server) -> None:
    name = unique_name("Case")
    assert (await post(server, "/api/register", {"username": name, "password": PASSWORD})).status_code == 201
    for other in (name.lower(), name.upper(), name.swapcase()):
        r = await post(server, "/api/register", {"username": other, "password": PASSWORD})
        assert r.status_code == 409 and r.json()["error"]["code"] == "username_taken", r.text
    # Login is case-insensitive too, and the stored spelling is kept.
    r = await login(server, name.upper())
    assert r.status_code == 200 and r.json()["user"]["username"] == name


async def test_passwords_need_eight_characters(server) -> None:
    for password in ("", "1234567", "       "[:7]):
        r = await post(server, "/api/register", {"username": unique_name(), "password": password})
        assert r.status_code == 400 and r.json()["error"]["code"] == "weak_password", r.text
    r = await post(server, "/api/register", {"username": unique_name(), "password": "12345678"})
    assert r.status_code == 201


async def test_a_refused_registration_creates_nothing(server) -> None:
    name = unique_name()
    r = await post(server, "/api/register", {"username": name, "password": "short"})
    assert r.status_code == 400
    assert (await login(server, name, "short")).json()["error"]["code"] == "invalid_credentials"
    assert (await post(server, "/api/register", {"username": name, "password": PASSWORD})).status_code == 201


# --- login and rate limits ---------------------------------------------------------------------


async def test_login_wrong_password_and_unknown_user_look_the_same(server) -> None:
    acc = await register(server)
    wrong = await login(server, acc.username, "not the password")
    ghost = await login(server, unique_name("ghost"), "not the password")
    assert wrong.status_code == ghost.status_code == 401
    assert wrong.json() == ghost.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    ok = await login(server, acc.username)
    assert ok.status_code == 200 and ok.json()["user"]["id"] == acc.user_id


def assert_rate_limited(r: httpx.Response) -> int:
    assert r.status_code == 429, r.text
    err = r.json()["error"]
    assert err["code"] == "rate_limited" and isinstance(err["message"], str)
    retry = err["retry_after"]
    assert isinstance(retry, int) and retry >= 1
    assert r.headers["retry-after"] == str(retry)
    return retry


async def test_login_is_rate_limited_per_username(server_factory) -> None:
    srv = server_factory(env={"PARLEY_LOGIN_LIMIT_PER_USERNAME": "3", "PARLEY_LOGIN_LIMIT_PER_ADDRESS": "100"})
    victim, bystander = await register(srv), await register(srv)
    for _ in range(3):
        assert (await login(srv, victim.username, "guess-guess")).status_code == 401
    assert_rate_limited(await login(srv, victim.username, "guess-guess"))
    # Even the right password waits, and the limit follows the name whatever its case.
    assert_rate_limited(await login(srv, victim.username))
    assert_rate_limited(await login(srv, victim.username.upper()))
    # Other users are not locked out by someone hammering this one.
    assert (await login(srv, bystander.username)).status_code == 200


async def test_a_successful_login_resets_the_username_counter(server_factory) -> None:
    srv = server_factory(env={"PARLEY_LOGIN_LIMIT_PER_USERNAME": "3", "PARLEY_LOGIN_LIMIT_PER_ADDRESS": "100"})
    acc = await register(srv)
    for _ in range(3):
        for _ in range(2):
            assert (await login(srv, acc.username, "guess-guess")).status_code == 401
        assert (await login(srv, acc.username)).status_code == 200


async def test_login_is_rate_limited_per_address(server_factory) -> None:
    srv = server_factory(env={"PARLEY_LOGIN_LIMIT_PER_USERNAME": "100", "PARLEY_LOGIN_LIMIT_PER_ADDRESS": "5"})
    acc = await register(srv)
    for i in range(5):
        assert (await login(srv, unique_name(f"spray{i}"), "guess-guess")).status_code == 401
    assert_rate_limited(await login(srv, unique_name("spray"), "guess-guess"))
    assert_rate_limited(await login(srv, acc.username))
    # Registered sessions keep working: the limit is on logging in, not on the API.
    async with api(srv, acc.token) as http:
        assert (await http.get("/api/me")).status_code == 200


async def test_the_rate_limit_window_passes(server_factory) -> None:
    srv = server_factory(
        env={
            "PARLEY_LOGIN_LIMIT_PER_USERNAME": "2",
            "PARLEY_LOGIN_LIMIT_WINDOW": "1",
            "PARLEY_LOGIN_LIMIT_PER_ADDRESS": "100",
        }
    )
    acc = await register(srv)
    for _ in range(2):
        await login(srv, acc.username, "guess-guess")
    assert_rate_limited(await login(srv, acc.username))
    for _ in range(100):  # the window is one second; allow a slow machine plenty of slack
        await asyncio.sleep(0.2)
        r = await login(srv, acc.username)
        if r.status_code == 200:
            break
    assert r.status_code == 200, r.text


# --- socket authentication -------------------------------------------------------------------


async def test_a_socket_without_a_valid_token_is_refused_with_a_reason(server) -> None:
    for auth in (None, {}, {"token": ""}, {"token": "not-a-token"}, {"token": 12345}, {"token": ["x"]},
                 {"token": "x" * 10_000}, {"user_id": 1}):  # fmt: skip
        reason = await refused_reason(server, auth)
        assert reason.get("code") == "unauthorized", (auth, reason)
        assert isinstance(reason.get("message"), str)


async def test_a_refused_socket_leaves_the_server_serving(server) -> None:
    for _ in range(5):
        await refused_reason(server, {"token": "nope"})
    acc = await register(server)
    raw = await open_socket(server, acc.token)
    try:
        assert await raw.ok("chats") == []
    finally:
        await raw.close()


# --- logout and sessions ---------------------------------------------------------------------


async def test_logout_revokes_the_token_everywhere(server, sockets) -> None:
    acc = await register(server)
    other = (await login(server, acc.username)).json()["token"]
    live = await sockets(server, acc.token)
    other_live = await sockets(server, other)
    assert await live.ok("chats") == []
    async with api(server, acc.token) as http:
        assert (await http.post("/api/logout")).status_code == 204
        r = await http.get("/api/me")
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        assert (await http.post("/api/logout")).status_code == 401
    # The open socket of that session is cut off (after being told why).
    assert await wait_for(lambda: live.disconnected.is_set())
    assert [d for e, d in live.received if e == "session_ended"]
    assert (await refused_reason(server, {"token": acc.token}))["code"] == "unauthorized"
    # The user's other session is untouched.
    assert other_live.sio.connected and await other_live.ok("chats") == []
    async with api(server, other) as http:
        assert (await http.get("/api/me")).status_code == 200


async def test_sessions_are_listed_and_one_can_be_revoked(server, sockets) -> None:
    acc = await register(server)
    second = (await login(server, acc.username)).json()["token"]
    second_live = await sockets(server, second)
    async with api(server, acc.token) as http:
        sessions = (await http.get("/api/sessions")).json()
        assert len(sessions) == 2
        current = [s for s in sessions if s["current"]]
        others = [s for s in sessions if not s["current"]]
        assert len(current) == 1 and len(others) == 1
        r = await http.delete(f"/api/sessions/{others[0]['id']}")
        assert r.status_code == 204
        assert [s["id"] for s in (await http.get("/api/sessions")).json()] == [current[0]["id"]]
        r = await http.delete(f"/api/sessions/{others[0]['id']}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "session_not_found"
    assert await wait_for(lambda: second_live.disconnected.is_set())
    async with api(server, second) as http:
        assert (await http.get("/api/me")).status_code == 401
    assert (await refused_reason(server, {"token": second}))["code"] == "unauthorized"


async def test_you_cannot_see_or_revoke_someone_elses_session(server, sockets) -> None:
    alice, bob = await register(server), await register(server)
    bob_live = await sockets(server, bob.token)
    async with api(server, bob.token) as http:
        bob_session = (await http.get("/api/sessions")).json()[0]["id"]
    async with api(server, alice.token) as http:
        assert bob_session not in [s["id"] for s in (await http.get("/api/sessions")).json()]
        r = await http.delete(f"/api/sessions/{bob_session}")
        missing = await http.delete(f"/api/sessions/{2**62}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "session_not_found"
    assert (r.status_code, r.json()) == (missing.status_code, missing.json())
    assert await bob_live.ok("chats") == [] and bob_live.sio.connected


async def test_changing_the_password_ends_the_other_sessions(server, sockets) -> None:
    acc = await register(server)
    other = (await login(server, acc.username)).json()["token"]
    here_live, other_live = await sockets(server, acc.token), await sockets(server, other)
    new_password = "a-brand-new-secret"
    async with api(server, acc.token) as http:
        r = await http.post("/api/password", json={"old_password": "wrong-password", "new_password": new_password})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"
        r = await http.post("/api/password", json={"old_password": PASSWORD, "new_password": "short"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "weak_password"
        assert other_live.sio.connected  # refused changes end nothing
        r = await http.post("/api/password", json={"old_password": PASSWORD, "new_password": new_password})
        assert r.status_code == 204
        assert (await http.get("/api/me")).status_code == 200  # this session lives on
    assert await wait_for(lambda: other_live.disconnected.is_set())
    async with api(server, other) as http:
        assert (await http.get("/api/me")).status_code == 401
    assert here_live.sio.connected and await here_live.ok("chats") == []
    assert (await login(server, acc.username)).json()["error"]["code"] == "invalid_credentials"
    assert (await login(server, acc.username, new_password)).status_code == 200


# --- search ----------------------------------------------------------------------------------


async def test_user_search_by_prefix(server, sockets) -> None:
    stem = unique_name("Find")
    names = [f"{stem}{s}" for s in ("a", "b", "c")]
    for name in names:
        await register(server, name)
    searcher = await register(server)
    raw = await sockets(server, searcher.token)
    found = await raw.ok("search_users", {"prefix": stem.lower()})
    assert sorted(u["username"] for u in found) == sorted(names)
    assert {"id", "username", "display_name", "online", "last_seen"} <= set(found[0])
    assert len(await raw.ok("search_users", {"prefix": stem, "limit": 2})) == 2
    assert await raw.ok("search_users", {"prefix": stem + "zz"}) == []
    # LIKE wildcards are literal characters, not patterns.
    for wildcard in ("%", "_", stem[:2] + "%", "\\"):
        assert all(u["username"].lower().startswith(wildcard.lower()) for u in
                   await raw.ok("search_users", {"prefix": wildcard, "limit": 50})), wildcard  # fmt: skip
    async with api(server, searcher.token) as http:
        r = await http.get("/api/users", params={"prefix": stem.upper()})
        assert r.status_code == 200 and sorted(u["username"] for u in r.json()) == sorted(names)
    async with api(server) as http:
        assert (await http.get("/api/users", params={"prefix": stem})).status_code == 401


# --- identity --------------------------------------------------------------------------------


async def test_identity_comes_from_the_session_not_the_payload(server, sockets) -> None:
    alice, bob = await register(server), await register(server)
    a = await sockets(server, alice.token)
    chat = (await a.ok("open_direct", {"username": bob.username}))["id"]
    last_seq = (await a.ok("chat", {"chat_id": chat}))["last_seq"]
    for field, value in (("sender", bob.user_id), ("sender", {"id": bob.user_id}), ("user_id", bob.user_id),
                         ("sender_id", bob.user_id), ("username", bob.username), ("token", bob.token)):  # fmt: skip
        err = await a.error("send", {"chat_id": chat, "client_id": new_client_id(), "text": "as bob", field: value})
        assert err["code"] == "invalid_payload" and field in err["message"], err
    assert (await a.ok("chat", {"chat_id": chat}))["last_seq"] == last_seq
    ack = await a.ok("send", {"chat_id": chat, "client_id": new_client_id(), "text": "really alice"})
    async with api(server, alice.token) as http:
        r = await http.post(f"/api/chats/{chat}/messages",
                            json={"client_id": new_client_id(), "text": "as bob", "sender": bob.user_id})  # fmt: skip
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_payload"
        r = await http.post(f"/api/chats/{chat}/messages", json={"client_id": new_client_id(), "text": "via http"})
        assert r.status_code == 200
        assert (await http.get("/api/me")).json()["id"] == alice.user_id
    page = await a.ok("history", {"chat_id": chat, "after": last_seq})
    assert [(m["text"], m["sender"]["id"]) for m in page] == [
        ("really alice", alice.user_id),
        ("via http", alice.user_id),
    ]
    assert page[0]["seq"] == ack["seq"]
    # Read markers and groups are attributed to the session's user too.
    await a.ok("read", {"chat_id": chat, "seq": ack["seq"]})
    group = await a.ok("create_group", {"title": "mine", "members": [bob.username]})
    assert [m["role"] for m in group["members"] if m["id"] == alice.user_id] == ["owner"]
    err = await a.error("read", {"chat_id": chat, "seq": 1, "user": bob.user_id})
    assert err["code"] == "invalid_payload"


def test_accounts_made_outside_the_api_follow_the_same_username_rules(tmp_path) -> None:
    """`parley user add` goes through the accounts service, not the HTTP model: same rules."""
    import subprocess
    import sys

    def user_add(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "parley", "user", "add", name, "--password", PASSWORD, "--data-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PARLEY_ARGON2_TIME_COST": "1", "PARLEY_ARGON2_MEMORY_KIB": "8192"},
        )

    assert user_add("fine_name").returncode == 0
    for bad in ("trail\n", "has space"):
        result = user_add(bad)
        assert result.returncode != 0, (bad, result.stdout)
    listed = subprocess.run(
        [sys.executable, "-m", "parley", "user", "list", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "fine_name" in listed and "trail" not in listed


async def test_disabling_an_account_refuses_its_logins_and_cuts_off_its_open_sockets(server_factory, sockets) -> None:
    """`parley user disable` runs in another process than the server: the server must still notice."""
    import subprocess
    import sys

    srv = server_factory(env={"PARLEY_SESSION_RECHECK": "0"})  # re-check the session on every request
    acc, friend = await register(srv), await register(srv)
    live = await sockets(srv, acc.token)
    chat = (await live.ok("open_direct", {"username": friend.username}))["id"]
    command = [sys.executable, "-m", "parley", "user", "disable", acc.username, "--data-dir", str(srv.data_dir)]
    # In a thread: the server's sockets and this test share the event loop.
    result = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    r = await login(srv, acc.username)
    assert r.status_code in (401, 403) and r.json()["error"]["code"] in ("account_disabled", "invalid_credentials")
    async with api(srv, acc.token) as http:
        assert (await http.get("/api/me")).status_code in (401, 403)
    assert (await refused_reason(srv, {"token": acc.token}))["code"] in ("unauthorized", "account_disabled")
    # The socket opened before the change may live on only until its next request: nothing more is accepted.
    if live.sio.connected:
        reply = await live.call("send", {"chat_id": chat, "client_id": new_client_id(), "text": "still me?"}, wait=5)
        assert reply["ok"] is False and reply["error"]["code"] in ("unauthorized", "account_disabled"), reply
        assert await wait_for(lambda: live.disconnected.is_set())
        assert [d for e, d in live.received if e == "session_ended"]
    async with api(srv, friend.token) as http:
        texts = [m["text"] for m in (await http.get(f"/api/chats/{chat}/messages")).json()]
    assert "still me?" not in texts
