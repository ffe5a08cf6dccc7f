"""Editing and deleting messages in the web client: live, after being offline, by group admins, safely."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import expect_texts, open_chat, open_direct, register, send, texts, wait_online

pytestmark = pytest.mark.browser


def message(page: Any, text: str) -> Any:
    return page.locator(".messages .msg", has=page.locator(".text", has_text=text))


def action(page: Any, text: str, name: str) -> None:
    """Open a message's "⋯" menu and choose Edit or Delete."""
    msg = message(page, text)
    msg.hover()
    msg.get_by_role("button", name="Message actions").click()
    page.get_by_role("menuitem", name=name).click()


def edit(page: Any, old: str, new: str) -> None:
    action(page, old, "Edit")
    expect(page.locator(".edit-bar")).to_contain_text("Editing message")
    box = page.locator("#composer-input")
    expect(box).to_have_value(old)
    box.fill(new)
    box.press("Enter")
    expect(page.locator(".edit-bar")).to_have_count(0)


def delete(page: Any, text: str) -> None:
    action(page, text, "Delete")
    dialog = page.get_by_role("dialog", name="Delete message?")
    expect(dialog).to_contain_text(text)
    dialog.get_by_role("button", name="Delete").click()
    expect(dialog).to_have_count(0)


def two_people(new_page: Any) -> tuple[Any, Any]:
    alice, bob = unique("alice"), unique("bob")
    a, b = new_page(), new_page()
    register(a, alice, "Alice")
    register(b, bob, "Bob")
    open_direct(a, bob)
    return a, b


def test_edit_and_delete_live(new_page):
    a, b = two_people(new_page)
    for text in ("first", "typo hree", "to be removed"):
        send(a, text)
    open_chat(b, "Alice")
    expect_texts(b, ["first", "typo hree", "to be removed"])

    # Only your own messages offer Edit; in a direct chat nobody deletes the other's messages.
    mine = message(b, "first")
    mine.hover()
    expect(mine.get_by_role("button", name="Message actions")).to_have_count(0)

    edit(a, "typo hree", "  typo here  ")
    expect(message(a, "typo here").locator(".edited")).to_have_text("edited")
    expect_texts(b, ["first", "typo here", "to be removed"])
    expect(message(b, "typo here").locator(".edited")).to_have_text("edited")
    expect(message(b, "first").locator(".edited")).to_have_count(0)

    # Cancelling an edit with Escape changes nothing and brings the draft back; the chat stays open.
    box = a.locator("#composer-input")
    box.fill("a draft")
    action(a, "first", "Edit")
    expect(box).to_have_value("first")
    box.press("Escape")
    expect(a.locator(".edit-bar")).to_have_count(0)
    expect(box).to_have_value("a draft")
    expect(a.locator(".conversation")).to_be_visible()
    box.fill("")

    # Cancelling the confirmation deletes nothing.
    action(a, "to be removed", "Delete")
    a.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(message(a, "to be removed")).to_have_count(1)

    delete(a, "to be removed")
    expect(a.locator(".msg.deleted .tombstone")).to_have_text("Message deleted")
    expect(b.locator(".msg.deleted .tombstone")).to_have_text("Message deleted")
    expect_texts(b, ["first", "typo here"])
    expect(b.locator(".chat-item", has_text="Alice").locator(".chat-preview")).to_have_text("Message deleted")
    expect(a.locator(".chat-item", has_text="Bob").locator(".chat-preview")).to_have_text("Message deleted")

    # Up-arrow in the empty box edits your last message that is not deleted.
    box.press("ArrowUp")
    expect(a.locator(".edit-bar")).to_contain_text("typo here")
    expect(box).to_have_value("typo here")
    box.fill("typo here, twice")
    box.press("Enter")
    expect_texts(b, ["first", "typo here, twice"])

    # An empty edit is refused with a clear message, and nothing changes.
    action(a, "first", "Edit")
    expect(box).to_have_value("first")
    box.fill("   ")
    box.press("Enter")
    expect(a.get_by_role("alert")).to_contain_text("needs some text")
    box.press("Escape")

    # History after a reload shows the result: edited label, deleted bubble, no extra rows.
    b.reload()
    open_chat(b, "Alice")
    expect_texts(b, ["first", "typo here, twice"])
    expect(b.locator(".msg")).to_have_count(3)
    expect(b.locator(".msg .edited")).to_have_count(1)
    expect(b.locator(".msg.deleted")).to_have_count(1)
    # Edits and deletions are not unread messages.
    expect(b.locator(".chat-item .badge")).to_have_count(0)


def test_edit_and_delete_while_offline_are_caught_up(new_page):
    a, b = two_people(new_page)
    send(a, "keep me")
    send(a, "change me")
    send(a, "drop me")
    open_chat(b, "Alice")
    expect_texts(b, ["keep me", "change me", "drop me"])

    b.context.set_offline(True)
    expect(b.locator(".banner")).to_contain_text("offline")
    edit(a, "change me", "changed while you were away")
    delete(a, "drop me")
    expect(a.locator(".msg.deleted")).to_have_count(1)
    b.wait_for_timeout(300)
    assert texts(b) == ["keep me", "change me", "drop me"]

    b.context.set_offline(False)
    wait_online(b)
    expect_texts(b, ["keep me", "changed while you were away"])
    expect(message(b, "changed while you were away").locator(".edited")).to_have_count(1)
    expect(b.locator(".msg.deleted .tombstone")).to_have_text("Message deleted")
    expect(b.locator(".msg")).to_have_count(3)
    # A later message still arrives once: the cursor moved past the edit and the deletion.
    send(a, "after")
    expect_texts(b, ["keep me", "changed while you were away", "after"])
    b.wait_for_timeout(300)
    assert texts(b) == ["keep me", "changed while you were away", "after"]


def test_hostile_text_in_an_edit_is_shown_as_text(new_page):
    a, b = two_people(new_page)
    send(a, "harmless")
    open_chat(b, "Alice")
    expect_texts(b, ["harmless"])
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>'
    edit(a, "harmless", hostile)
    expect_texts(b, [hostile])
    for page in (a, b):
        expect(page.locator(".messages .text")).to_have_text([hostile])
        assert page.locator(".messages img, .messages script, .messages b").count() == 0
        assert page.evaluate("window.__pwned") is None
    preview = b.locator(".chat-item", has_text="Alice").locator(".chat-preview")
    expect(preview).to_have_text(hostile)


def test_group_admin_deletes_others_messages(new_page):
    names = [unique(n) for n in ("ann", "ben")]
    ann, ben = new_page(), new_page()
    register(ann, names[0], "Ann")
    register(ben, names[1], "Ben")
    ann.get_by_role("button", name="New chat").click()
    ann.get_by_role("tab", name="Group").click()
    ann.locator("input[name=title]").fill("Mods")
    ann.get_by_role("combobox").fill(names[1])
    ann.locator(f"#picker-results li:has-text('@{names[1]}')").click()
    ann.get_by_role("button", name="Create group").click()
    expect(ann.locator(".conv-names strong")).to_have_text("Mods")

    send(ann, "owner says hi")
    open_chat(ben, "Mods")
    send(ben, "spam spam")
    expect_texts(ann, ["owner says hi", "spam spam"])

    # Ben (a member) may not delete Ann's message; Ann (the owner) may delete Ben's, but not edit it.
    theirs = message(ben, "owner says hi")
    theirs.hover()
    expect(theirs.get_by_role("button", name="Message actions")).to_have_count(0)
    spam = message(ann, "spam spam")
    spam.hover()
    spam.get_by_role("button", name="Message actions").click()
    expect(ann.get_by_role("menuitem", name="Edit")).to_have_count(0)
    # Keyboard: the menu's first item has focus, Escape closes it and returns focus to the button.
    expect(ann.get_by_role("menuitem", name="Delete")).to_be_focused()
    ann.keyboard.press("Escape")
    expect(ann.get_by_role("menu")).to_have_count(0)
    expect(ann.locator(".conversation")).to_be_visible()
    expect(spam.get_by_role("button", name="Message actions")).to_be_focused()
    ann.keyboard.press("Enter")
    expect(ann.get_by_role("menuitem", name="Delete")).to_be_focused()
    ann.keyboard.press("Enter")
    dialog = ann.get_by_role("dialog", name="Delete message?")
    expect(dialog).to_contain_text("Ben\u2019s message")
    dialog.get_by_role("button", name="Delete").click()
    expect(ben.locator(".msg.deleted .tombstone")).to_have_text("Message deleted")
    expect_texts(ben, ["owner says hi"])
    expect_texts(ann, ["owner says hi"])
