"""Server addition for the web client's read receipts: ChatOut.members[].last_read_seq."""

from __future__ import annotations

from .conftest import unique


def test_chat_summary_carries_each_members_read_position(api):
    alice, bob = api.register(unique("alice")), api.register(unique("bob"))
    chat = api.call("POST", "/chats/direct", alice["token"], json={"username": bob["user"]["username"]})
    first = api.send(alice["token"], chat["id"], "one")
    api.send(alice["token"], chat["id"], "two")

    def positions(token: str) -> dict[str, int]:
        summary = api.call("GET", f"/chats/{chat['id']}", token)
        return {m["username"]: m["last_read_seq"] for m in summary["members"]}

    seen = positions(alice["token"])
    assert seen[bob["user"]["username"]] == 0
    assert seen[alice["user"]["username"]] >= first["seq"]  # a sender has read their own message

    api.call("POST", f"/chats/{chat['id']}/read", bob["token"], json={"seq": first["seq"]})
    assert positions(alice["token"])[bob["user"]["username"]] == first["seq"]
