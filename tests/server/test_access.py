"""A non-member can neither read, send to, nor learn anything about a chat — on every event and route.

"Exists but you are not in it" and "no such chat" must be indistinguishable: the same code
(``not_a_member``), the same message, the same HTTP status; nothing is written; no live traffic leaks.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tests.server.conftest import Account, RawSocket, api, new_client_id, register, settle

MISSING_CHAT = 2**62  # the largest valid id: never allocated in a test database


def socket_probes(chat_id: int, someone: str) -> list[tuple[str, dict[str, Any]]]:
    """Every client→server event that names a chat, with an otherwise valid payload."""
    return [
        ("send", {"chat_id": chat_id, "client_id": new_client_id(), "text": "let me in"}),
        ("history", {"chat_id": chat_id}),
        ("history", {"chat_id": chat_id, "after": 0, "limit": 100}),
        ("read", {"chat_id": chat_id, "seq": 1}),
        ("typing", {"chat_id": chat_id, "typing": True}),
        ("typing", {"chat_id": chat_id, "typing": False}),
        ("chat", {"chat_id": chat_id}),
        ("rename", {"chat_id": chat_id, "title": "mine now"}),
        ("add_members", {"chat_id": chat_id, "usernames": [someone]}),
        ("remove_member", {"chat_id": chat_id, "username": someone}),
        ("set_role", {"chat_id": chat_id, "username": someone, "role": "admin"}),
        ("leave", {"chat_id": chat_id}),
        ("edit", {"chat_id": chat_id, "seq": 2, "text": "rewritten"}),
        ("delete", {"chat_id": chat_id, "seq": 2}),
    ]


def http_probes(chat_id: int, someone: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every HTTP route that takes a chat id, with an otherwise valid body."""
    base = f"/api/chats/{chat_id}"
    return [
        ("GET", base, None),
        ("POST", f"{base}/rename", {"title": "mine now"}),
        ("POST", f"{base}/members", {"usernames": [someone]}),
        ("DELETE", f"{base}/members/{someone}", None),
        ("POST", f"{base}/members/{someone}/role", {"role": "admin"}),
        ("POST", f"{base}/leave", None),
        ("GET", f"{base}/messages", None),
        ("GET", f"{base}/messages?after=0&limit=100", None),
        ("POST", f"{base}/messages", {"client_id": new_client_id(), "text": "let me in"}),
        ("POST", f"{base}/read", {"seq": 1}),
        ("PATCH", f"{base}/messages/2", {"text": "rewritten"}),
        ("DELETE", f"{base}/messages/2", None),
    ]


class World:
    """alice (owner) and bob share a group and a direct chat; eve is in neither."""

    alice: Account
    bob: Account
    eve: Account
    a: RawSocket
    b: RawSocket
    e: RawSocket
    group: int
    direct: int


@pytest.fixture
async def world(server, sockets) -> World:
    w = World()
    w.alice, w.bob, w.eve = [await register(server) for _ in range(3)]
    w.a, w.b, w.e = [await sockets(server, acc.token) for acc in (w.alice, w.bob, w.eve)]
    w.group = (await w.a.ok("create_group", {"title": "secret plans", "members": [w.bob.username]}))["id"]
    w.direct = (await w.a.ok("open_direct", {"username": w.bob.username}))["id"]
    for chat_id in (w.group, w.direct):
        await w.a.ok("send", {"chat_id": chat_id, "client_id": new_client_id(), "text": "for members only"})
    return w


async def snapshot(raw: RawSocket, chat_id: int) -> tuple[Any, ...]:
    chat = await raw.ok("chat", {"chat_id": chat_id})
    history = await raw.ok("history", {"chat_id": chat_id, "limit": 100})
    sync = await raw.ok("sync", {"cursors": {str(chat_id): 0}})
    return chat["last_seq"], chat["title"], [m["id"] for m in chat["members"]], history, sync["events"]


async def test_every_socket_event_answers_non_member_exactly_like_a_missing_chat(world: World) -> None:
    w = world
    before = {c: await snapshot(w.a, c) for c in (w.group, w.direct)}
    for chat_id in (w.group, w.direct):
        real = socket_probes(chat_id, w.bob.username)
        fake = socket_probes(MISSING_CHAT, w.bob.username)
        for (event, payload), (_, missing_payload) in zip(real, fake, strict=True):
            got = await w.e.call(event, payload)
            expected = await w.e.call(event, missing_payload)
            assert got.get("ok") is False and got["error"]["code"] == "not_a_member", (event, payload, got)
            assert got == expected, (event, got, expected)
    for chat_id, snap in before.items():
        assert await snapshot(w.a, chat_id) == snap, "a non-member's request changed the chat"
    assert await w.e.ok("chats") == []


async def test_every_http_route_answers_non_member_exactly_like_a_missing_chat(server, world: World) -> None:
    w = world
    before = {c: await snapshot(w.a, c) for c in (w.group, w.direct)}
    async with api(server, w.eve.token) as http:
        for chat_id in (w.group, w.direct):
            real = http_probes(chat_id, w.bob.username)
            fake = http_probes(MISSING_CHAT, w.bob.username)
            for (method, path, body), (_, missing_path, missing_body) in zip(real, fake, strict=True):
                got = await http.request(method, path, json=body)
                expected = await http.request(method, missing_path, json=missing_body)
                assert got.status_code == 403, (method, path, got.status_code, got.text)
                assert got.json()["error"]["code"] == "not_a_member", (method, path, got.text)
                assert (got.status_code, got.json()) == (expected.status_code, expected.json()), (method, path)
        assert (await http.get("/api/chats")).json() == []
    for chat_id, snap in before.items():
        assert await snapshot(w.a, chat_id) == snap, "a non-member's request changed the chat"


async def test_sync_tells_a_non_member_nothing_about_existing_chats(server, world: World) -> None:
    w = world
    cursors = {str(w.group): 0, str(w.direct): 0, str(MISSING_CHAT): 0}
    reply = await w.e.ok("sync", {"cursors": cursors})
    assert reply == {"events": [], "removed": sorted([w.group, w.direct, MISSING_CHAT]), "has_more": False}
    async with api(server, w.eve.token) as http:
        r = await http.post("/api/sync", json={"cursors": cursors})
    assert r.status_code == 200 and r.json() == reply


async def test_reusing_a_client_id_cannot_smuggle_a_send_into_a_foreign_chat(world: World) -> None:
    w = world
    own = (await w.e.ok("create_group", {"title": "eve alone"}))["id"]
    client_id = new_client_id()
    await w.e.ok("send", {"chat_id": own, "client_id": client_id, "text": "mine"})
    reply = await w.e.call("send", {"chat_id": w.group, "client_id": client_id, "text": "mine"})
    missing = await w.e.call("send", {"chat_id": MISSING_CHAT, "client_id": client_id, "text": "mine"})
    assert reply["ok"] is False and reply["error"]["code"] == "not_a_member", reply
    assert reply == missing


async def test_a_member_reusing_a_client_id_in_another_chat_is_not_silently_acked_elsewhere(world: World) -> None:
    w = world
    client_id = new_client_id()
    first = await w.a.ok("send", {"chat_id": w.group, "client_id": client_id, "text": "one"})
    again = await w.a.ok("send", {"chat_id": w.group, "client_id": client_id, "text": "one"})
    assert again == first  # a true resend: the original ack
    last_seq = (await w.a.ok("chat", {"chat_id": w.direct}))["last_seq"]
    reply = await w.a.call("send", {"chat_id": w.direct, "client_id": client_id, "text": "two"})
    # Either stored in the chat it names, or refused — never an ack that points at another chat.
    if reply["ok"]:
        assert reply["data"]["chat_id"] == w.direct
    else:
        assert reply["error"]["code"] not in ("internal_error", "not_a_member"), reply
        assert (await w.a.ok("chat", {"chat_id": w.direct}))["last_seq"] == last_seq


async def test_a_non_member_receives_no_live_traffic_of_the_chat(server, sockets, world: World) -> None:
    w = world
    carol = await register(server)
    c = await sockets(server, carol.token)
    g = w.group
    await w.a.ok("send", {"chat_id": g, "client_id": new_client_id(), "text": "hello"})
    await w.b.ok("typing", {"chat_id": g, "typing": True})
    last = (await w.b.ok("chat", {"chat_id": g}))["last_seq"]
    await w.b.ok("read", {"chat_id": g, "seq": last})
    await w.a.ok("rename", {"chat_id": g, "title": "new name"})
    await w.a.ok("add_members", {"chat_id": g, "usernames": [carol.username]})
    await w.a.ok("set_role", {"chat_id": g, "username": w.bob.username, "role": "admin"})
    await w.a.ok("remove_member", {"chat_id": g, "username": carol.username})
    await w.a.ok("send", {"chat_id": w.direct, "client_id": new_client_id(), "text": "psst"})
    await w.b.ok("typing", {"chat_id": w.direct, "typing": True})
    await settle(w.a, w.b, c, w.e)

    # The members did hear it all (so the probe is meaningful)...
    kinds = [e["kind"] for e in w.b.events("event") if e["chat_id"] == g]
    assert {"message", "read", "renamed", "member_added", "role_changed", "member_removed"} <= set(kinds)
    assert any(t["chat_id"] == g for t in w.a.events("typing"))
    # ...and eve heard nothing: not the chats, not their members' presence.
    assert w.e.chat_traffic(g) == [] and w.e.chat_traffic(w.direct) == []
    strangers = {w.alice.user_id, w.bob.user_id, carol.user_id}
    for event, data in w.e.received:
        assert event == "presence" and data["user_id"] not in strangers, (event, data)


async def test_a_removed_member_stops_receiving_at_once_and_cannot_read_history(server, sockets, world: World) -> None:
    w = world
    carol = await register(server)
    c = await sockets(server, carol.token)
    g = w.group
    await w.a.ok("add_members", {"chat_id": g, "usernames": [carol.username]})
    await c.ok("history", {"chat_id": g})  # a member now: allowed
    removal = await w.a.ok("remove_member", {"chat_id": g, "username": carol.username})
    assert carol.user_id not in [m["id"] for m in removal["members"]]
    await w.a.ok("send", {"chat_id": g, "client_id": new_client_id(), "text": "after carol left"})
    await w.b.ok("typing", {"chat_id": g, "typing": True})
    await w.a.ok("rename", {"chat_id": g, "title": "without carol"})
    await settle(w.a, w.b, c)

    events = [e for e in c.events("event") if e["chat_id"] == g]
    assert events and events[-1]["kind"] == "member_removed", events
    assert not any(t["chat_id"] == g for t in c.events("typing"))
    assert_locked_out(await locked_out_replies(c, g))
    # Catch-up for carol stops at her removal.
    sync = await c.ok("sync", {"cursors": {str(g): 0}})
    assert g in sync["removed"]
    assert sync["events"][-1]["kind"] == "member_removed"


async def test_a_member_who_left_stops_receiving_at_once_and_cannot_read_history(server, sockets, world: World) -> None:
    w = world
    g = w.group
    await w.b.ok("leave", {"chat_id": g})
    await w.a.ok("send", {"chat_id": g, "client_id": new_client_id(), "text": "after bob left"})
    await w.a.ok("rename", {"chat_id": g, "title": "without bob"})
    await settle(w.a, w.b)
    events = [e for e in w.b.events("event") if e["chat_id"] == g]
    assert events[-1]["kind"] == "member_left", events
    assert_locked_out(await locked_out_replies(w.b, g))


async def test_a_removed_member_on_a_second_session_is_cut_off_too(server, sockets, world: World) -> None:
    w = world
    async with api(server) as http:
        r = await http.post("/api/login", json={"username": w.bob.username, "password": "correct-horse-battery"})
    b2 = await sockets(server, r.json()["token"])
    await w.a.ok("remove_member", {"chat_id": w.group, "username": w.bob.username})
    await w.a.ok("send", {"chat_id": w.group, "client_id": new_client_id(), "text": "bob is gone"})
    await settle(w.a, w.b, b2)
    for session in (w.b, b2):
        events = [e for e in session.events("event") if e["chat_id"] == w.group]
        assert events[-1]["kind"] == "member_removed"
    assert_locked_out(await locked_out_replies(b2, w.group))


async def locked_out_replies(raw: RawSocket, chat_id: int) -> list[tuple[Any, Any]]:
    pairs = []
    for (event, payload), (_, missing) in zip(
        socket_probes(chat_id, "nobody_here"), socket_probes(MISSING_CHAT, "nobody_here"), strict=True
    ):
        pairs.append((await raw.call(event, payload), await raw.call(event, missing)))
    return pairs


def assert_locked_out(pairs: list[tuple[Any, Any]]) -> None:
    for got, expected in pairs:
        assert got["ok"] is False and got["error"]["code"] == "not_a_member", got
        assert got == expected


async def test_a_chat_added_later_is_announced_only_to_its_members(server, sockets, world: World) -> None:
    w = world
    g2 = (await w.a.ok("create_group", {"title": "second", "members": [w.bob.username]}))["id"]
    await asyncio.sleep(0)
    await settle(w.a, w.b, w.e)
    assert any(d["id"] == g2 for d in w.b.events("chat"))
    assert w.e.chat_traffic(g2) == []
