"""The server restarts mid-conversation: both browsers reconnect by themselves and catch up exactly once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, unique
from .pages import expect_texts, open_chat, open_direct, register, send, texts, wait_online

pytestmark = pytest.mark.browser


def test_server_restart_reconnects_and_catches_up(new_page, web_server, api):
    alice, bob = unique("alice"), unique("bob")
    a, b = new_page(), new_page()
    register(a, alice, "Alice")
    register(b, bob, "Bob")
    open_direct(a, bob)
    send(a, "before the restart")
    open_chat(b, "Alice")
    expect_texts(b, ["before the restart"])

    web_server.stop()
    expect(b.locator(".banner")).to_be_visible()
    send(a, "queued during the restart")
    expect(a.locator(".msg.mine.pending")).to_have_count(1)

    web_server.start()
    # A third party writes while the browsers are still reconnecting.
    bob_token = api.http.post("/login", json={"username": bob, "password": PASSWORD}).json()["token"]
    chat_id = int(b.locator(".chat-item").first.get_attribute("data-chat-id"))
    api.send(bob_token, chat_id, "sent from Bob's phone")

    wait_online(a)
    wait_online(b)
    # The queued message and Bob's race for the next seq; either order, the same in both browsers, once each.
    for page in (a, b):
        expect(page.locator(".messages .msg")).to_have_count(3, timeout=15_000)
    b.wait_for_timeout(300)
    assert texts(a) == texts(b)
    assert sorted(texts(b)) == sorted(["before the restart", "queued during the restart", "sent from Bob's phone"])
    expect(a.locator(".msg.mine.pending")).to_have_count(0)
