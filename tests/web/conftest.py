"""Fixtures for the browser tests: a real ``parley serve`` serving web/dist, Chromium, API helpers."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "correct horse battery"


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """The built client; built here when missing (``make web`` normally does it)."""
    dist = ROOT / "web" / "dist"
    if not (dist / "index.html").is_file():
        subprocess.run(["make", "-s", "web"], cwd=ROOT, check=True)
    return dist


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory, web_dist: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("web"), env={"PARLEY_WEB_DIR": str(web_dist)}).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Per module, not per session: Playwright's sync API runs an event loop in this thread while it is
    # open, and the async tests of other directories could not start theirs after it.
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test-deps installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser: Any, web_server: ServerProcess) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (its own storage: a separate person)."""
    contexts: list[Any] = []

    def open_page(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1200, "height": 800})
        context = browser.new_context(base_url=web_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/")
        return page

    yield open_page
    for context in contexts:
        context.close()


class Api:
    """Arrange data over HTTP (faster than clicking) for tests whose subject is elsewhere."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url + "/api", timeout=10)

    def register(self, username: str, display_name: str | None = None) -> dict[str, Any]:
        r = self.http.post("/register", json={"username": username, "password": PASSWORD, "display_name": display_name})
        r.raise_for_status()
        return r.json()

    def call(self, method: str, path: str, token: str, **kw: Any) -> Any:
        r = self.http.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)
        r.raise_for_status()
        return r.json() if r.content else None

    def send(self, token: str, chat_id: int, text: str) -> dict[str, Any]:
        return self.call(
            "POST", f"/chats/{chat_id}/messages", token, json={"client_id": uuid.uuid4().hex, "text": text}
        )


@pytest.fixture
def api(web_server: ServerProcess) -> Iterator[Api]:
    client = Api(web_server.url)
    yield client
    client.http.close()
