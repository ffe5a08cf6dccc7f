"""Screenshots of the main screens for the README, taken from a real server with a realistic chat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, Api
from .pages import login, open_chat

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def seed(api: Api) -> dict[str, Any]:
    people = {
        "alice": "Alice Martin",
        "bob": "Bob Chen",
        "carol": "Carol Diaz",
        "dan": "Dan Okafor",
        "erin": "Erin Walsh",
    }
    auth = {name: api.register(name, display) for name, display in people.items()}
    tok = {name: a["token"] for name, a in auth.items()}

    def direct(a: str, b: str) -> int:
        return int(api.call("POST", "/chats/direct", tok[a], json={"username": b})["id"])

    hike = api.call(
        "POST", "/chats/group", tok["carol"], json={"title": "Weekend hike", "members": ["alice", "bob", "dan"]}
    )
    for who, text in [
        ("carol", "Who's in for Saturday? Forecast says sunny all day"),
        ("dan", "I'm in! Same trail as last time?"),
        ("carol", "Let's try the ridge loop, route is here: https://example.org/trails/ridge-loop"),
        ("alice", "Count me in. I can drive two people."),
    ]:
        api.send(tok[who], hike["id"], text)

    erin = direct("erin", "alice")
    api.send(tok["erin"], erin, "The design review moved to 3pm tomorrow")

    bob = direct("bob", "alice")
    for who, text in [
        ("bob", "Morning! Did you get a chance to look at the release notes?"),
        ("alice", "Yes, just now. Looks good overall"),
        ("alice", "Two small things: the upgrade section needs the migration step, and a changelog link is broken."),
        ("bob", "Good catch, fixing both"),
        ("bob", "Updated: https://example.org/parley/releases/0.1"),
        ("alice", "Perfect. Ship it!"),
        ("bob", "Done. Lunch later?"),
    ]:
        api.send(tok[who], bob, text)

    dan = direct("dan", "alice")
    api.send(tok["alice"], dan, "Thanks for the book recommendation!")
    api.send(tok["dan"], dan, "Anytime, let me know what you think")
    carol_unread = hike  # leaves "Weekend hike" with unread messages for Alice
    for who, text in [("bob", "Me too, I'll bring snacks"), ("carol", "Great, meet at 8 at the station")]:
        api.send(tok[who], carol_unread["id"], text)
    return {"tok": tok, "bob_chat": bob, "hike": hike["id"], "erin_chat": erin, "dan_chat": dan}


@pytest.fixture(scope="module")
def world(web_server: Any) -> dict[str, Any]:
    api = Api(web_server.url)
    try:
        return seed(api)
    finally:
        api.http.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(200)  # let fonts and the last layout settle
    page.screenshot(path=str(Path(SHOTS, f"web-{name}.png")))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screens(new_page: Any, world: dict[str, Any], api: Api, scheme: str) -> None:
    tok = world["tok"]
    # Something unread for Alice in each run.
    api.send(tok["erin"], world["erin_chat"], "Can you bring the printed agenda?")
    api.send(tok["carol"], world["hike"], "Don't forget water and sunscreen")

    # Bob is online (his own browser) and has read Alice's last message.
    bob = new_page(color_scheme=scheme)
    login(bob, "bob")
    open_chat(bob, "Alice Martin")

    page = new_page(viewport=DESKTOP, color_scheme=scheme)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    shot(page, f"login-{scheme}")

    phone = new_page(viewport=PHONE, color_scheme=scheme, device_scale_factor=2, is_mobile=True, has_touch=True)
    login(phone, "alice")
    expect(phone.locator(".chat-item")).to_have_count(4)
    expect(phone.locator(".chat-item .badge").first).to_be_visible()
    shot(phone, f"phone-list-{scheme}")

    login(page, "alice")
    open_chat(page, "Bob Chen")
    expect(page.locator(".msg.mine .receipt.read").first).to_be_visible()
    expect(page.locator(".conv-names")).to_contain_text("online")
    page.locator("#composer-input").fill("Sure, 12:30 at the usual place?")
    shot(page, f"chat-{scheme}")

    if scheme == "light":
        open_chat(page, "Weekend hike")
        expect(page.locator(".unread-divider")).to_be_visible()
        page.get_by_role("button", name="Chat details", exact=True).click()
        expect(page.locator(".info")).to_be_visible()
        shot(page, "group-light")

    open_chat(phone, "Bob Chen")
    expect(phone.locator(".msg").last).to_contain_text("Lunch later?")
    shot(phone, f"phone-chat-{scheme}")
