"""Runs the real desktop app (``ParleyApp``) under a display and drives it like a person would.

Started by ``test_desktop_ui.py`` as ``python ui_driver.py SPEC.json``. It types into the real widgets,
presses the real buttons, takes screenshots, and appends one JSON line per milestone to the report file
named in the spec; the test, holding a second SDK client, answers those milestones.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ["KIVY_NO_ARGS"] = "1"
os.environ.setdefault("KIVY_NO_FILELOG", "1")

from kivy.config import Config

Config.set("graphics", "width", "1100")
Config.set("graphics", "height", "720")
Config.set("input", "mouse", "mouse,disable_multitouch")

from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402

from parley.desktop.app import ParleyApp  # noqa: E402
from parley.desktop.widgets.bubble import BubbleRow  # noqa: E402

spec: dict[str, Any] = json.loads(Path(sys.argv[1]).read_text())
report_path = Path(spec["report"])
shots = Path(spec["shots"])
app = ParleyApp(server_url=spec["url"], config_dir=Path(spec["config_dir"]))


def report(step: str, **data: Any) -> None:
    with report_path.open("a") as f:
        f.write(json.dumps({"step": step, **data}) + "\n")


def replies() -> dict[str, Any]:
    """What the test has answered (written to spec['answers'])."""
    try:
        return json.loads(Path(spec["answers"]).read_text())
    except (OSError, ValueError):
        return {}


def screenshot(name: str) -> None:
    tmp = Window.screenshot(name=str(shots / f".{name}.png"))
    shutil.move(tmp, shots / f"{name}.png")
    report("screenshot", name=name)


def bubbles() -> list[Any]:
    home = app.home_screen
    return [w.bubble for w in home.ids.message_list.children if isinstance(w, BubbleRow)]


Wait = Callable[[], bool]


def script() -> Iterator[Wait | float]:
    """Each yielded callable is polled until true; a number is a pause in seconds."""
    login = app.login_screen
    yield lambda: app.screens.current == "login"
    yield 0.6
    login.ids.username.focus = True
    login.ids.username.text = spec["username"]
    yield 0.2
    login.ids.password.focus = True
    login.ids.password.text = spec["password"]
    yield 0.6
    screenshot("desktop-login")
    login.ids.submit.dispatch("on_release")
    home = app.home_screen
    yield lambda: app.screens.current == "home" and app.model.connection == "connected"
    report("logged_in", user=app.model.user.username if app.model.user else None)

    # The prototype failed silently on an unknown user: this must say so in the dialog.
    home.ask_direct()
    yield lambda: home.dialog is not None
    yield 0.4
    home.dialog.fields[0].text = spec["unknown"]
    home.dialog.confirm_button.dispatch("on_release")
    yield lambda: home.dialog is not None and home.dialog.error_label.text.startswith("No user called")
    report("unknown_user_error", text=home.dialog.error_label.text)
    yield 0.3
    screenshot("desktop-new-chat-error")
    home.dialog.dismiss()
    yield lambda: home.dialog is None
    yield 0.3

    home.ask_direct()
    yield lambda: home.dialog is not None
    yield 0.3
    home.dialog.fields[0].text = spec["peer"]
    home.dialog.confirm_button.dispatch("on_release")
    yield lambda: home.dialog is None and home.has_chat and home.chat_title == spec["peer_display"]
    conv = app.model.conversation
    yield lambda: conv is not None and not conv.loading
    chat_id = conv.chat_id
    report("chat_open", chat_id=chat_id, title=home.chat_title)
    yield lambda: replies().get("peer_ready")

    home.ids.composer.text = spec["outgoing"]
    home.ids.composer.dispatch("on_text_validate")
    yield lambda: any(b.text == spec["outgoing"] and b.mine and b.status in ("sent", "read") for b in bubbles())
    assert home.ids.composer.text == "", "the composer is cleared after Enter"
    report("sent", chat_id=chat_id)

    yield lambda: "is typing" in home.typing_text
    report("typing_seen", text=home.typing_text)

    yield lambda: any(b.text == spec["incoming"] and not b.mine for b in bubbles())
    mine = next(b for b in bubbles() if b.text == spec["outgoing"])
    yield lambda: mine.status == "read"
    theirs = next(b for b in bubbles() if b.text == spec["incoming"])
    on_right = mine.to_window(mine.right, 0)[0] > theirs.to_window(theirs.right, 0)[0]
    report(
        "rendered",
        texts=[b.text for b in reversed(bubbles())],
        own_status=mine.status,
        own_right_edge=mine.to_window(mine.right, 0)[0],
        their_left_edge=theirs.to_window(theirs.x, 0)[0],
        own_further_right=on_right,
        window_width=Window.width,
        typing_after=home.typing_text,
    )
    for i in range(3):
        home.ids.composer.text = spec["more"][i]
        home.ids.composer.dispatch("on_text_validate")
        yield lambda i=i: any(b.text == spec["more"][i] and b.status == "sent" for b in bubbles())

    # Edit one of ours: a long press on the bubble opens its menu; Edit, new text, Enter.
    lunch = next(b for b in bubbles() if b.text == spec["more"][1])
    press = UnitTestTouch(*lunch.to_window(*lunch.center))
    press.touch_down()
    yield lambda: home.menu is not None  # opens while still held
    press.touch_up()
    labels = [item["text"] for item in home.menu.items]
    yield 0.4
    screenshot("desktop-message-menu")
    next(item for item in home.menu.items if item["text"] == "Edit")["on_release"]()
    yield lambda: home.editing and home.ids.composer.text == spec["more"][1]
    assert home.ids.edit_notice.text == "Editing — Esc to cancel" and home.ids.edit_bar.height > 0
    home.ids.composer.text = spec["edited"]
    yield 0.4
    screenshot("desktop-editing")
    home.ids.composer.dispatch("on_text_validate")
    yield lambda: lunch.text == spec["edited"] and lunch.meta.endswith("edited") and not home.editing
    assert home.ids.composer.text == "", "the composer is cleared after saving the edit"
    report("edited", menu=labels, seq=app.model.conversation.find(lunch.key).seq, meta=lunch.meta)
    yield lambda: any(b.deleted and b.text == "Message deleted" and not b.mine for b in bubbles())
    theirs = next(b for b in bubbles() if b.deleted)
    report("deleted_seen", italic=theirs.ids.body.italic, offered=home.message_actions(theirs.key))
    yield lambda: any(c.last_text == spec["group_last"] for c in app.model.chats.values())  # the test's group
    yield 0.8
    scroll, listing = home.ids.message_scroll, home.ids.message_list
    report(
        "layout",
        scroll=[scroll.y, scroll.height, scroll.scroll_y],
        list_height=listing.height,
        rows=[[type(w).__name__, w.y, w.height] for w in listing.children],
    )
    screenshot("desktop-chat")

    app.toggle_theme()
    yield 0.8
    screenshot("desktop-chat-dark")
    app.toggle_theme()

    # The group bob made: open it from the list, answer, look at its members.
    group_item = next(i for i in home.ids.chat_list.children if i.title == spec["group"])
    assert group_item.unread == 61, "the group's messages show as unread in the list"
    group_item.dispatch("on_release")
    yield lambda: home.chat_title == spec["group"] and not app.model.conversation.loading
    assert group_item.unread == 0
    conv = app.model.conversation
    assert conv.has_older and len(conv.rows) == 50, "the first page of a long chat"
    yield 0.3
    home.ids.message_scroll.scroll_y = 1  # the reader scrolls to the top: the previous page loads
    yield lambda: not conv.has_older and conv.rows[0].kind == "chat_created"
    yield 0.3
    report("paged", rows=len(conv.rows), scroll_y=home.ids.message_scroll.scroll_y, first=conv.rows[1].text)
    home.ids.composer.text = spec["group_reply"]
    home.ids.composer.dispatch("on_text_validate")
    yield lambda: any(b.text == spec["group_reply"] and b.status == "sent" for b in bubbles())
    theirs = [b for b in reversed(bubbles()) if not b.mine]
    named = [b.sender for b in theirs if b.sender]
    report("group", sender_labels=named, status=home.chat_status)
    yield 0.5
    screenshot("desktop-group")

    # A group of our own, made through the New group dialog: as its owner we may manage members.
    home.ids.new_group.dispatch("on_release")
    yield lambda: home.dialog is not None
    yield 0.3
    title_field, members_field = home.dialog.fields
    title_field.text, members_field.text = spec["own_group"], spec["peer"]
    home.dialog.confirm_button.dispatch("on_release")
    yield lambda: home.dialog is None and home.chat_title == spec["own_group"]
    report("group_created", chat_id=app.model.conversation.chat_id)
    yield 0.3
    home.ids.members.dispatch("on_release")
    yield lambda: home.dialog is not None
    yield 0.8
    screenshot("desktop-group-members")
    home.dialog.dismiss()
    yield lambda: home.dialog is None

    Window.size = (380, 720)
    yield lambda: home.narrow
    yield 0.8
    screenshot("desktop-phone-chat")
    home.ids.back.dispatch("on_release")
    yield lambda: app.model.conversation is None
    yield 0.6
    screenshot("desktop-phone-list")
    report("done")
    app.stop()


def resume_script() -> Iterator[Wait | float]:
    """A second start with the same config dir: straight to the chat list, no password."""
    yield lambda: app.screens.current == "home" and app.model.connection == "connected"
    yield lambda: len(app.model.chats) >= 3
    report(
        "resumed",
        user=app.model.user.username if app.model.user else None,
        chats=sorted(c.title for c in app.model.chats.values()),
    )
    app.stop()


def drive() -> None:
    steps = resume_script() if spec.get("mode") == "resume" else script()
    state: dict[str, Any] = {"wait": None, "until": 0.0, "deadline": 0.0}

    def tick(_dt: float) -> None:
        try:
            now = time.monotonic()
            if state["wait"] is not None:
                if not state["wait"]():
                    if now > state["deadline"]:
                        raise TimeoutError(f"UI condition not met: {state['wait'].__code__.co_firstlineno}")
                    return
                state["wait"] = None
            if now < state["until"]:
                return
            step = next(steps)
            if callable(step):
                state["wait"], state["deadline"] = step, now + 30
            else:
                state["until"] = now + float(step)
        except StopIteration:
            event.cancel()
        except Exception as exc:
            report("error", error=repr(exc), trace=traceback.format_exc())
            event.cancel()
            app.stop()

    event = Clock.schedule_interval(tick, 0.05)


Clock.schedule_once(lambda _dt: drive(), 0.5)
app.run()
