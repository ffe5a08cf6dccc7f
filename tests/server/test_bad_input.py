"""Bad input on every socket event and HTTP route: a structured error with a stable code, nothing
written, the same connection still usable, the server still up."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import socketio
from pydantic import ValidationError
from tests.server.conftest import RawSocket, api, assert_error_reply, new_client_id, open_socket, register

from parley import protocol

MAX_SOCKET_PAYLOAD = 256 * 1024
MAX_HTTP_BODY = 256 * 1024

# Values of the wrong kind for almost any field; the model decides which ones really are wrong.
WRONG_VALUES: list[Any] = [
    "1", "", [1], [], None, {"x": 1}, {}, True, False, 1.5, -1, 0, 2**62 + 1, 2**64, 10**30, "x" * 70_000,
]  # fmt: skip
NON_OBJECTS: list[Any] = [[], [1, 2], "chat", "", 0, 17, 1.5, True, False]


class Stage:
    """alice owns a group with bob and carol; dave is a known user outside it."""

    def __init__(self, server: Any, sockets: Any) -> None:
        self.server = server
        self.sockets = sockets

    async def build(self) -> Stage:
        self.alice, self.bob, self.carol, self.dave = [await register(self.server) for _ in range(4)]
        self.a: RawSocket = await self.sockets(self.server, self.alice.token)
        members = [self.bob.username, self.carol.username]
        self.group = (await self.a.ok("create_group", {"title": "bad input lab", "members": members}))["id"]
        await self.a.ok("send", {"chat_id": self.group, "client_id": new_client_id(), "text": "first"})
        return self

    def valid(self, event: str) -> dict[str, Any] | None:
        g = self.group
        return {
            "send": {"chat_id": g, "client_id": new_client_id(), "text": "hello"},
            "history": {"chat_id": g, "before": 10, "after": 0, "limit": 10},
            "sync": {"cursors": {str(g): 0}, "limit": 10},
            "read": {"chat_id": g, "seq": 1},
            "typing": {"chat_id": g, "typing": True},
            "chats": None,
            "chat": {"chat_id": g},
            "open_direct": {"username": self.bob.username},
            "create_group": {"title": "t", "members": [self.bob.username]},
            "rename": {"chat_id": g, "title": "renamed"},
            "add_members": {"chat_id": g, "usernames": [self.dave.username]},
            "remove_member": {"chat_id": g, "username": self.carol.username},
            "set_role": {"chat_id": g, "username": self.bob.username, "role": "admin"},
            "leave": {"chat_id": g},
            "search_users": {"prefix": "u", "limit": 5},
            "edit": {"chat_id": g, "seq": 2, "text": "edited"},  # seq 2: "first", sent by alice in build()
            "delete": {"chat_id": g, "seq": 2},
        }[event]

    async def state(self) -> tuple[Any, ...]:
        """What a bad request must not change: the group, its history, alice's chat list."""
        chat = await self.a.ok("chat", {"chat_id": self.group})
        history = await self.a.ok("history", {"chat_id": self.group, "limit": 100})
        chats = await self.a.ok("chats")
        return (
            chat["last_seq"], chat["title"], sorted((m["id"], m["role"]) for m in chat["members"]),
            history, sorted(c["id"] for c in chats),
        )  # fmt: skip

    async def still_works(self, raw: RawSocket | None = None) -> None:
        """The same connection answers a valid send afterwards."""
        raw = raw or self.a
        ack = await raw.ok("send", {"chat_id": self.group, "client_id": new_client_id(), "text": "still here"})
        assert ack["chat_id"] == self.group and ack["seq"] >= 1


@pytest.fixture
async def stage(server, sockets) -> Stage:
    return await Stage(server, sockets).build()


def bad_variants(event: str, valid: dict[str, Any]) -> list[Any]:
    """Payloads the event's model rejects: each field wrong, each required field missing, an extra field."""
    model = protocol.SOCKET_REQUESTS[event][0]
    assert model is not None
    out: list[Any] = list(NON_OBJECTS)
    for name in model.model_fields:
        for value in WRONG_VALUES + [[v] for v in WRONG_VALUES[:8]] + [{"1": v} for v in WRONG_VALUES[:8]]:
            out.append({**valid, name: value})
        if model.model_fields[name].is_required():
            out.append({k: v for k, v in valid.items() if k != name})
    out.append({**valid, "unexpected": 1})
    out.append({**valid, "sender": "someone"})
    out.append({**valid, "user_id": 1})
    rejected = []
    for payload in out:
        try:
            model.model_validate(payload)
        except (ValidationError, TypeError, ValueError):
            rejected.append(payload)
    return rejected


@pytest.mark.parametrize("event", [e for e, (m, _) in protocol.SOCKET_REQUESTS.items() if m is not None])
async def test_every_malformed_payload_is_refused_with_invalid_payload(stage: Stage, event: str) -> None:
    valid = stage.valid(event)
    assert valid is not None
    variants = bad_variants(event, valid)
    assert len(variants) > 20
    before = await stage.state()
    for payload in variants:
        reply = await stage.a.call(event, payload)
        assert_error_reply(reply)
        assert reply["error"]["code"] == "invalid_payload", (event, payload, reply)
    reply = await stage.a.call(event)  # no payload at all
    assert_error_reply(reply)
    assert reply["error"]["code"] == "invalid_payload"
    assert await stage.state() == before, f"a refused {event} changed something"
    await stage.still_works()


async def test_the_precise_wrong_types_are_refused(stage: Stage) -> None:
    """Spelled out, independent of the models: the cases a lax parser typically lets through."""
    g = stage.group
    cases = [
        ("history", {"chat_id": str(g)}),  # a numeric string for an int
        ("history", {"chat_id": True}),  # bool is not an int
        ("history", {"chat_id": float(g)}),
        ("history", {"chat_id": g, "limit": "10"}),
        ("history", {"chat_id": g, "limit": 0}),
        ("history", {"chat_id": g, "limit": 101}),
        ("history", {"chat_id": g, "before": -1}),
        ("history", {"chat_id": g, "before": 2**63}),
        ("read", {"chat_id": g, "seq": True}),
        ("read", {"chat_id": g, "seq": 2**64}),
        ("typing", {"chat_id": g, "typing": "yes"}),
        ("typing", {"chat_id": g, "typing": 1}),
        ("send", {"chat_id": g, "client_id": 12, "text": "x"}),
        ("send", {"chat_id": g, "client_id": "has space", "text": "x"}),
        ("send", {"chat_id": g, "client_id": "x" * 65, "text": "x"}),
        ("send", {"chat_id": g, "client_id": new_client_id(), "text": ["x"]}),
        ("send", {"chat_id": g, "client_id": new_client_id(), "text": None}),
        ("send", {"chat_id": g, "client_id": new_client_id(), "text": {"text": "x"}}),
        ("send", {"chat_id": g, "client_id": new_client_id(), "text": "x", "sender": stage.bob.user_id}),
        ("sync", {"cursors": [[g, 0]]}),
        ("sync", {"cursors": {str(g): -1}}),
        ("sync", {"cursors": {str(g): "0"}}),
        ("sync", {"cursors": {"abc": 0}}),
        ("sync", {"cursors": {"-1": 0}}),
        ("sync", {"cursors": {"1.5": 0}}),
        ("sync", {"cursors": {"": 0}}),
        ("sync", {"cursors": {"99999999999999999999999": 0}}),
        ("create_group", {"title": "   ", "members": []}),
        ("create_group", {"title": "t", "members": "bob"}),
        ("rename", {"chat_id": g, "title": "\t\n "}),
        ("rename", {"chat_id": g, "title": "x" * 101}),
        ("set_role", {"chat_id": g, "username": stage.bob.username, "role": "god"}),
        ("add_members", {"chat_id": g, "usernames": []}),
        ("search_users", {"prefix": ""}),
        ("search_users", {"prefix": "u", "limit": 51}),
    ]
    before = await stage.state()
    for event, payload in cases:
        reply = await stage.a.call(event, payload)
        assert_error_reply(reply)
        assert reply["error"]["code"] == "invalid_payload", (event, payload, reply)
    assert await stage.state() == before
    await stage.still_works()


async def test_message_text_limits(stage: Stage) -> None:
    g = stage.group
    a = stage.a
    before = await stage.state()
    for text in ("", " ", "  \n\t  ", "\u3000"):
        err = await a.error("send", {"chat_id": g, "client_id": new_client_id(), "text": text})
        assert err["code"] == "message_empty", (text, err)
    err = await a.error("send", {"chat_id": g, "client_id": new_client_id(), "text": "x" * 4001})
    assert err["code"] == "message_too_long"
    err = await a.error("send", {"chat_id": g, "client_id": new_client_id(), "text": "  " + "é" * 4001 + "\n"})
    assert err["code"] == "message_too_long"
    err = await a.error("send", {"chat_id": g, "client_id": new_client_id(), "text": "x" * 200_000})
    assert err["code"] in ("message_too_long", "invalid_payload")
    assert await stage.state() == before
    # Exactly the limit after trimming is fine, and is stored trimmed.
    ack = await a.ok("send", {"chat_id": g, "client_id": new_client_id(), "text": "  " + "y" * 4000 + "  "})
    page = await a.ok("history", {"chat_id": g, "after": ack["seq"] - 1, "limit": 1})
    assert page[0]["text"] == "y" * 4000


async def test_unknown_and_out_of_range_ids(stage: Stage) -> None:
    a, g = stage.a, stage.group
    before = await stage.state()
    for chat_id in (0, -1, -(2**63), 2**62 + 1, 2**64, 10**40):
        for event in ("send", "history", "chat", "read", "typing", "rename", "leave"):
            payload = {**stage.valid(event), "chat_id": chat_id}  # type: ignore[dict-item]
            err = await a.error(event, payload)
            assert err["code"] == "invalid_payload", (event, chat_id, err)
    # In range but never allocated: the non-member answer.
    err = await a.error("history", {"chat_id": 2**62})
    assert err["code"] == "not_a_member"
    for seq in (2**62, 0):
        await a.ok("history", {"chat_id": g, "before": seq})
        await a.ok("read", {"chat_id": g, "seq": seq})  # clamped to last_seq; not an error
    assert (await stage.state())[0] >= before[0]
    await stage.still_works()


async def test_unknown_usernames(stage: Stage) -> None:
    a, g = stage.a, stage.group
    ghost = "no_such_user_xyz"
    before = await stage.state()
    assert (await a.error("open_direct", {"username": ghost}))["code"] == "user_not_found"
    assert (await a.error("open_direct", {"username": "x" * 64}))["code"] == "user_not_found"
    err = await a.error("create_group", {"title": "t", "members": [stage.bob.username, ghost]})
    assert err["code"] == "user_not_found"
    err = await a.error("add_members", {"chat_id": g, "usernames": [stage.dave.username, ghost]})
    assert err["code"] == "user_not_found"
    assert (await a.error("remove_member", {"chat_id": g, "username": ghost}))["code"] == "user_not_found"
    assert (await a.error("remove_member", {"chat_id": g, "username": stage.dave.username}))["code"] == "user_not_found"
    err = await a.error("set_role", {"chat_id": g, "username": ghost, "role": "admin"})
    assert err["code"] == "user_not_found"
    assert await a.ok("search_users", {"prefix": ghost}) == []
    assert await stage.state() == before  # nothing half-added, no stray group
    await stage.still_works()


async def test_unknown_event_gets_a_structured_error(stage: Stage) -> None:
    reply = await stage.a.call("no_such_event", {"x": 1}, wait=5)
    assert_error_reply(reply)
    assert reply["error"]["code"] == "unknown_event"
    await stage.still_works()


async def test_extra_positional_arguments_are_ignored_or_refused(stage: Stage) -> None:
    reply = await stage.a.call("history", {"chat_id": stage.group}, {"chat_id": 1}, "junk")
    assert reply["ok"] is True or reply["error"]["code"] == "invalid_payload", reply
    await stage.still_works()


async def test_large_socket_payload_under_the_limit_is_refused_politely(stage: Stage) -> None:
    payload = {"chat_id": stage.group, "client_id": new_client_id(), "text": "z" * (MAX_SOCKET_PAYLOAD - 4096)}
    err = await stage.a.error("send", payload)
    assert err["code"] in ("message_too_long", "invalid_payload")
    junk = {"chat_id": stage.group, "padding": ["p" * 1000] * 200}
    assert (await stage.a.error("history", junk))["code"] == "invalid_payload"
    await stage.still_works()


async def test_payload_over_the_socket_limit_drops_only_that_connection(server, stage: Stage) -> None:
    bystander = await stage.sockets(server, stage.bob.token)
    victim = await open_socket(server, stage.carol.token)
    try:
        payload = {"chat_id": stage.group, "client_id": new_client_id(), "text": "z" * (MAX_SOCKET_PAYLOAD * 2)}
        try:
            reply = await victim.call("send", payload, wait=5)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            reply = None  # the connection was dropped: allowed
        if reply is not None:
            assert_error_reply(reply)
    finally:
        await victim.close()
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(server.url + "/healthz")).status_code == 200
    ack = await stage.a.ok("send", {"chat_id": stage.group, "client_id": new_client_id(), "text": "after the flood"})
    await bystander.ok("chats")
    for _ in range(50):
        if any(e.get("seq") == ack["seq"] for e in bystander.events("event")):
            break
        await asyncio.sleep(0.1)
    assert any(e.get("seq") == ack["seq"] for e in bystander.events("event"))
    assert not (await stage.a.ok("history", {"chat_id": stage.group, "limit": 100}))[-1]["text"].startswith("zzz")


async def test_garbage_socket_frames_do_not_hurt_the_server(server, stage: Stage) -> None:
    """Raw websocket frames that are not valid Engine.IO/Socket.IO packets."""
    import websockets

    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    for frame in [
        "4",
        "42",
        '42["send"',
        "42[]",
        "42[1,2]",
        '42["send",' + "[" * 5000 + "]" * 5000 + "]",
        "9x",
        "\x00",
    ]:
        try:
            async with websockets.connect(url) as ws:
                await ws.recv()  # engine.io open packet
                await ws.send(f"40{json.dumps({'token': stage.alice.token})}")
                await ws.send(frame)
                await asyncio.sleep(0.05)
        except Exception:
            pass  # the server may close such a connection
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(server.url + "/healthz")).status_code == 200
    await stage.still_works()


# --- HTTP --------------------------------------------------------------------------------------


def http_bad_bodies() -> list[Any]:
    return [[], "x", 1, None, True, {"unexpected": 1}]


async def test_every_http_route_refuses_malformed_bodies(server, stage: Stage) -> None:
    g = stage.group
    bob = stage.bob.username
    routes = [
        ("POST", "/api/register", {"username": "someone_new", "password": "long enough pass"}),
        ("POST", "/api/login", {"username": bob, "password": "x" * 8}),
        ("POST", "/api/password", {"old_password": "a" * 8, "new_password": "b" * 8}),
        ("POST", "/api/chats/direct", {"username": bob}),
        ("POST", "/api/chats/group", {"title": "t", "members": []}),
        ("POST", f"/api/chats/{g}/rename", {"title": "t"}),
        ("POST", f"/api/chats/{g}/members", {"usernames": [bob]}),
        ("POST", f"/api/chats/{g}/members/{bob}/role", {"role": "admin"}),
        ("POST", f"/api/chats/{g}/messages", {"client_id": new_client_id(), "text": "x"}),
        ("POST", f"/api/chats/{g}/read", {"seq": 1}),
        ("POST", "/api/sync", {"cursors": {}}),
    ]
    before = await stage.state()
    async with api(server, stage.alice.token) as http:
        for method, path, valid in routes:
            bodies: list[Any] = [*http_bad_bodies(), {**valid, "extra": 1}]
            for field in valid:
                if field not in ("members", "cursors"):  # these two have defaults
                    bodies.append({k: v for k, v in valid.items() if k != field})
                for wrong in ([1], {"a": 1}, True, 2**64):
                    bodies.append({**valid, field: wrong})
            for body in bodies:
                r = await http.request(method, path, json=body)
                assert r.status_code == 400, (method, path, body, r.status_code, r.text)
                assert r.json()["error"]["code"] == "invalid_payload", (method, path, body, r.text)
                assert isinstance(r.json()["error"]["message"], str)
            for raw in (b"{", b"not json", b"\xff\xfe", b""):
                r = await http.request(method, path, content=raw, headers={"content-type": "application/json"})
                assert r.status_code == 400, (method, path, raw, r.text)
                assert r.json()["error"]["code"] == "invalid_payload"
    assert await stage.state() == before


async def test_http_path_and_query_parameters_are_validated(server, stage: Stage) -> None:
    g = stage.group
    async with api(server, stage.alice.token) as http:
        for bad in ("abc", "-1", "0", "1.5", str(2**62 + 1), str(2**64), "1e3"):
            for method, path in (("GET", f"/api/chats/{bad}"), ("GET", f"/api/chats/{bad}/messages"),
                                 ("POST", f"/api/chats/{bad}/leave")):  # fmt: skip
                r = await http.request(method, path)
                assert r.status_code == 400, (method, path, r.status_code, r.text)
                assert r.json()["error"]["code"] == "invalid_payload"
        for query in ("limit=0", "limit=101", "limit=x", "before=-1", "after=x", f"before={2**63}",
                      f"after={2**64}", f"before={10**30}"):  # fmt: skip
            r = await http.get(f"/api/chats/{g}/messages?{query}")
            assert r.status_code == 400, (query, r.status_code, r.text)
            assert r.json()["error"]["code"] == "invalid_payload"
        for query in ("prefix=", "limit=0", "prefix=a&limit=51", "prefix=" + "a" * 33):
            r = await http.get(f"/api/users?{query}")
            assert r.status_code == 400, (query, r.text)
        for sid in ("x", "-1", str(2**63), str(10**30)):
            r = await http.delete(f"/api/sessions/{sid}")
            assert r.status_code in (400, 404), (sid, r.status_code, r.text)
            assert r.json()["error"]["code"] in ("invalid_payload", "session_not_found")
        r = await http.post("/api/sync", json={"cursors": {"abc": 0}})
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_payload", r.text
        r = await http.post("/api/sync", json={"cursors": {str(10**25): 0}})
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_payload", r.text


async def test_unknown_routes_and_methods_answer_in_the_error_shape(server, stage: Stage) -> None:
    async with api(server, stage.alice.token) as http:
        r = await http.get("/api/no/such/route")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", r.text
        r = await http.put("/api/chats")
        assert r.status_code == 405 and isinstance(r.json()["error"]["code"], str), r.text


async def test_http_body_over_the_limit_is_413(server, stage: Stage) -> None:
    big = {"client_id": new_client_id(), "text": "x" * (MAX_HTTP_BODY + 10)}
    before = await stage.state()
    async with api(server, stage.alice.token) as http:
        r = await http.post(f"/api/chats/{stage.group}/messages", json=big)
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large", r.text

        async def chunks():  # no Content-Length: the limit must hold on the streamed body too
            body = json.dumps(big).encode()
            for i in range(0, len(body), 16384):
                yield body[i : i + 16384]

        r = await http.post(f"/api/chats/{stage.group}/messages", content=chunks(),
                            headers={"content-type": "application/json"})  # fmt: skip
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large", r.text
        r = await http.post("/api/register", content=b"{" + b" " * (MAX_HTTP_BODY + 1) + b"}",
                            headers={"content-type": "application/json"})  # fmt: skip
        assert r.status_code == 413
        assert (await http.get("/healthz")).status_code == 200
    assert await stage.state() == before
    await stage.still_works()


async def test_http_unauthenticated_and_bad_tokens(server) -> None:
    for headers in ({}, {"authorization": "Bearer"}, {"authorization": "Bearer nope"},
                    {"authorization": "Basic abc"}, {"authorization": "Bearer " + "x" * 5000}):  # fmt: skip
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=10) as http:
            for method, path in (("GET", "/api/chats"), ("GET", "/api/me"), ("POST", "/api/sync")):
                r = await http.request(method, path, json={} if method == "POST" else None)
                assert r.status_code == 401, (headers, path, r.text)
                assert r.json()["error"]["code"] == "unauthorized"
