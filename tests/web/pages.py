"""What a person does in the web client, as small functions over a Playwright page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from .conftest import PASSWORD


def register(page: Any, username: str, display_name: str = "") -> None:
    page.get_by_role("button", name="Create an account").click()
    page.locator("input[name=username]").fill(username)
    if display_name:
        page.locator("input[name=display_name]").fill(display_name)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".sidebar")).to_be_visible()


def login(page: Any, username: str, password: str = PASSWORD) -> None:
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Sign in").click()


def wait_online(page: Any) -> None:
    expect(page.locator(".banner")).to_have_count(0)


def open_direct(page: Any, username: str) -> None:
    page.get_by_role("button", name="New chat").click()
    page.get_by_role("combobox").fill(username)
    page.locator(f"#picker-results li:has-text('@{username}')").click()
    expect(page.locator(".conversation")).to_be_visible()


def open_chat(page: Any, title: str) -> None:
    page.locator(".chat-item", has_text=title).first.click()
    expect(page.locator(".conv-names strong")).to_have_text(title)


def send(page: Any, text: str) -> None:
    box = page.locator("#composer-input")
    box.fill(text)
    box.press("Enter")


def texts(page: Any) -> list[str]:
    return page.locator(".messages .msg .text").all_inner_texts()


def expect_texts(page: Any, expected: list[str], timeout: float = 10_000) -> None:
    expect(page.locator(".messages .msg .text")).to_have_text(expected, timeout=timeout)
