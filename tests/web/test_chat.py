"""The web client in Chromium against a real server: accounts, live chat, history, reconnects, safety."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, unique
from .pages import expect_texts, login, open_chat, open_direct, register, send, texts, wait_online

pytestmark = pytest.mark.browser


def test_account_errors_reload_and_logout(new_page, api):
    taken = unique("taken")
    api.register(taken)
    page = new_page()

    page.get_by_role("button", name="Create an account").click()
    page.locator("input[name=username]").fill(taken)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("taken")

    page.locator("input[name=password]").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 8 characters")

    page.get_by_role("button", name="Sign in").click()  # back to the sign-in form
    login(page, taken, "wrong password!")
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")

    login(page, taken)
    expect(page.locator(".sidebar")).to_be_visible()
    page.reload()
    expect(page.locator(".sidebar-title")).to_contain_text(taken)
    token = page.evaluate("JSON.parse(localStorage.getItem('parley.session')).token")

    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    # The session is revoked on the server, not just forgotten by the browser.
    for _ in range(50):
        if api.http.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401:
            break
        page.wait_for_timeout(100)
    assert api.http.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401

    # A session revoked from elsewhere signs the browser out, saying why.
    login(page, taken)
    expect(page.locator(".sidebar")).to_be_visible()
    other = api.http.post("/login", json={"username": taken, "password": PASSWORD}).json()["token"]
    sessions = api.call("GET", "/sessions", other)
    browser_session = max(s["id"] for s in sessions if not s["current"])  # the newest before ours
    api.call("DELETE", f"/sessions/{browser_session}", other)
    expect(page.get_by_role("status")).to_contain_text("session has ended")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_direct_chat_both_ways_live(new_page):
    alice, bob = unique("alice"), unique("bob")
    a, b = new_page(), new_page()
    register(a, alice, "Alice")
    register(b, bob, "Bob")

    open_direct(a, bob)
    send(a, "Hi Bob, it's Alice")
    # Bob's list shows the new chat live, with an unread badge and a preview.
    item = b.locator(".chat-item", has_text="Alice")
    expect(item.locator(".badge")).to_have_text("1")
    expect(item.locator(".chat-preview")).to_have_text("Hi Bob, it's Alice")
    open_chat(b, "Alice")
    expect_texts(b, ["Hi Bob, it's Alice"])

    # Alice's message turns read (✓✓) once Bob has seen it.
    expect(a.locator(".msg.mine .receipt.read")).to_have_count(1)

    b.locator("#composer-input").type("Hello Alice")
    expect(a.locator(".conv-names")).to_contain_text("typing…")
    b.locator("#composer-input").press("Enter")
    expect_texts(a, ["Hi Bob, it's Alice", "Hello Alice"])
    send(a, "line one")
    expect_texts(b, ["Hi Bob, it's Alice", "Hello Alice", "line one"])
    expect(b.locator(".chat-item", has_text="Alice").locator(".badge")).to_have_count(0)

    # The open chat is in the URL: a reload keeps it open, the browser's Back button closes it.
    b.reload()
    expect(b.locator(".conv-names strong")).to_have_text("Alice")
    expect_texts(b, ["Hi Bob, it's Alice", "Hello Alice", "line one"])
    b.go_back()
    expect(b.locator(".conversation")).to_have_count(0)
    open_chat(b, "Alice")

    # Shift+Enter is a newline, not a send.
    box = b.locator("#composer-input")
    box.type("two")
    box.press("Shift+Enter")
    box.type("lines")
    box.press("Enter")
    expect_texts(a, ["Hi Bob, it's Alice", "Hello Alice", "line one", "two\nlines"])


def test_group_of_three(new_page, api):
    names = [unique(n) for n in ("ann", "ben", "cat")]
    pages = [new_page() for _ in names]
    for page, name in zip(pages, names, strict=True):
        register(page, name, name.split("_")[0].title())
    ann, ben, cat = pages

    ann.get_by_role("button", name="New chat").click()
    ann.get_by_role("tab", name="Group").click()
    ann.locator("input[name=title]").fill("Trio")
    for name in names[1:]:
        ann.get_by_role("combobox").fill(name)
        ann.locator(f"#picker-results li:has-text('@{name}')").click()
    ann.get_by_role("button", name="Create group").click()
    expect(ann.locator(".conv-names strong")).to_have_text("Trio")

    send(ann, "from ann")
    for page in (ben, cat):
        open_chat(page, "Trio")
    send(ben, "from ben")
    send(cat, "from cat")
    for page in pages:
        expect_texts(page, ["from ann", "from ben", "from cat"])
        expect(page.locator(".system")).to_contain_text(["created the group “Trio”"])
    expect(ann.locator(".msg.theirs .sender")).to_have_text(["Ben", "Cat"])

    # Renaming shows up for everyone.
    ann.get_by_role("button", name="Chat details", exact=True).click()
    ann.get_by_role("button", name="Rename").click()
    ann.locator("#rename-input").fill("Trio 2")
    ann.get_by_role("button", name="Save").click()
    for page in pages:
        expect(page.locator(".conv-names strong")).to_have_text("Trio 2")

    # The owner removes Cat: her chat disappears; Ben leaves by himself.
    ann.get_by_role("button", name=f"Remove {names[2]}").click()
    expect(cat.locator(".chat-item", has_text="Trio 2")).to_have_count(0)
    expect(cat.get_by_role("status")).to_contain_text("no longer in")
    ben.get_by_role("button", name="Chat details", exact=True).click()
    ben.get_by_role("button", name="Leave group").click()
    ben.get_by_role("button", name="Leave", exact=True).click()
    expect(ben.locator(".chat-item", has_text="Trio 2")).to_have_count(0)
    expect(ann.locator(".system")).to_contain_text(["You removed Cat", "Ben left"])
    expect(ann.locator(".info .members li")).to_have_count(1)


def test_history_scrolls_back_through_older_pages(new_page, api):
    me, other = api.register(unique("reader"), "Reader"), api.register(unique("writer"), "Writer")
    chat = api.call("POST", "/chats/direct", other["token"], json={"username": me["user"]["username"]})
    total = 130
    for i in range(total):
        last = api.send(other["token"], chat["id"], f"message {i:03d}")
    api.call("POST", f"/chats/{chat['id']}/read", me["token"], json={"seq": last["seq"]})

    page = new_page()
    login(page, me["user"]["username"])
    open_chat(page, "Writer")
    expect(page.locator(".messages .msg").last).to_contain_text("message 129")
    # The first page is the newest 50. Scrolling to the top loads the page before it without moving what
    # the reader is looking at.
    expect(page.locator(".messages .msg")).to_have_count(50)
    anchor = page.locator(".msg", has_text="message 080")
    y_before = page.locator(".messages").evaluate(
        """el => { el.scrollTo(0, 0); return document.querySelector('[data-seq]').getBoundingClientRect().top; }"""
    )
    expect(page.locator(".messages .msg")).to_have_count(100)
    assert abs(anchor.bounding_box()["y"] - y_before) < 3
    # Further up, the rest arrives, in order, without duplicates.
    beginning = page.get_by_text("This is the beginning of the conversation.")
    for _ in range(20):
        if beginning.is_visible():
            break
        page.locator(".messages").evaluate("el => el.scrollTo(0, 0)")
        page.wait_for_timeout(150)
    expect(beginning).to_be_visible()
    assert texts(page) == [f"message {i:03d}" for i in range(total)]


def test_unread_chat_opens_at_the_new_messages_divider(new_page, api):
    me, other = api.register(unique("reader"), "Reader"), api.register(unique("writer"), "Writer")
    chat = api.call("POST", "/chats/direct", other["token"], json={"username": me["user"]["username"]})
    for i in range(70):
        last = api.send(other["token"], chat["id"], f"old {i:02d}")
    api.call("POST", f"/chats/{chat['id']}/read", me["token"], json={"seq": last["seq"]})
    for i in range(60):
        api.send(other["token"], chat["id"], f"new {i:02d}")

    page = new_page(viewport={"width": 1000, "height": 600})
    login(page, me["user"]["username"])
    expect(page.locator(".chat-item .badge")).to_have_text("60")
    open_chat(page, "Writer")
    divider = page.locator(".unread-divider")
    expect(divider).to_be_in_viewport()
    # The divider sits right before the first unread message, which is on screen; the latest is not yet.
    assert page.locator(".unread-divider + .msg").inner_text().startswith("new 00")
    expect(page.locator(".msg", has_text="new 00")).to_be_in_viewport()
    expect(page.locator(".msg", has_text="new 59")).not_to_be_in_viewport()
    expect(page.locator(".to-bottom .badge")).to_have_text("60")
    page.locator(".to-bottom").click()
    expect(page.locator(".msg", has_text="new 59")).to_be_in_viewport()
    expect(page.locator(".chat-item .badge")).to_have_count(0)


def test_offline_peer_catches_up_exactly_once(new_page):
    alice, bob = unique("alice"), unique("bob")
    a, b = new_page(), new_page()
    register(a, alice, "Alice")
    register(b, bob, "Bob")
    open_direct(a, bob)
    send(a, "before")
    open_chat(b, "Alice")
    expect_texts(b, ["before"])

    b.context.set_offline(True)
    expect(b.locator(".banner")).to_contain_text("offline")
    for i in range(3):
        send(a, f"while away {i}")
    expect(a.locator(".msg.mine .receipt:not(.pending)")).to_have_count(4)
    b.wait_for_timeout(300)
    assert texts(b) == ["before"]

    b.context.set_offline(False)
    wait_online(b)
    expected = ["before", "while away 0", "while away 1", "while away 2"]
    expect_texts(b, expected)
    send(a, "after")
    expect_texts(b, [*expected, "after"])
    b.wait_for_timeout(300)
    assert texts(b) == [*expected, "after"]


def test_message_written_offline_is_sent_once_on_reconnect(new_page):
    alice, bob = unique("alice"), unique("bob")
    a, b = new_page(), new_page()
    register(a, alice, "Alice")
    register(b, bob, "Bob")
    open_direct(a, bob)
    send(a, "ping")
    open_chat(b, "Alice")

    b.context.set_offline(True)
    expect(b.locator(".banner")).to_contain_text("offline")
    send(b, "written offline")
    expect(b.locator(".msg.mine.pending")).to_have_count(1)
    b.wait_for_timeout(300)
    assert texts(a) == ["ping"]

    b.context.set_offline(False)
    expect_texts(a, ["ping", "written offline"])
    expect(b.locator(".msg.mine.pending")).to_have_count(0)
    expect_texts(b, ["ping", "written offline"])
    # Reloading shows the server's history: still exactly one copy.
    b.reload()
    open_chat(b, "Alice")
    expect_texts(b, ["ping", "written offline"])
    a.wait_for_timeout(300)
    assert texts(a) == ["ping", "written offline"]


def test_hostile_text_is_shown_as_text(new_page):
    alice, bob = unique("alice"), unique("bob")
    a, b = new_page(), new_page()
    register(a, alice, "Alice")
    register(b, bob, "Bob")
    open_direct(a, bob)
    hostile = [
        '<img src=x onerror="window.__pwned=1">',
        "<script>window.__pwned=2</script>",
        "<b>bold?</b> see https://example.com/a?b=1&c=2.",
    ]
    for text in hostile:
        send(a, text)
    open_chat(b, "Alice")
    expect_texts(b, hostile)
    for page in (a, b):
        assert page.evaluate("window.__pwned") is None
        assert page.locator(".messages img, .messages script, .messages b").count() == 0
    link = b.locator(".messages a")
    expect(link).to_have_attribute("href", "https://example.com/a?b=1&c=2")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
