"""The desktop app in a real window (Xvfb) against a real server, with a second SDK client on the other end."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import PASSWORD, unique_name

from parley.client import Client, Message, MessageEdited

pytestmark = pytest.mark.desktop
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
DRIVER = Path(__file__).with_name("ui_driver.py")


def kivy_missing() -> str | None:
    try:
        import kivy  # noqa: F401
        import kivymd  # noqa: F401
    except ImportError as exc:
        return f"Kivy/KivyMD not installed ({exc}): run `make desktop-deps`"
    return None


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A private Xvfb display (started here: CI has no screen)."""
    missing = kivy_missing()
    if missing:
        pytest.skip(missing)
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed: run `make desktop-deps` (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        pytest.fail("Xvfb did not start")
    yield f":{number}"
    proc.terminate()
    proc.wait(10)


def launch(spec: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The app, driven by ui_driver.py, in its own process (Kivy wants the main thread)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, str(DRIVER), str(spec)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )


class Report:
    """The driver's milestones, read from its JSON-lines report file."""

    def __init__(self, path: Path, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.path, self.proc, self.log = path, proc, log

    def steps(self) -> list[dict[str, object]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    async def wait(self, step: str, within: float = 30) -> dict[str, object]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for entry in self.steps():
                if entry["step"] == "error":
                    pytest.fail(f"driver failed: {entry['trace']}\n{self.tail()}")
                if entry["step"] == step:
                    return entry
            if self.proc.poll() is not None:
                pytest.fail(f"app exited ({self.proc.returncode}) before {step!r}:\n{self.tail()}")
            await asyncio.sleep(0.05)
        pytest.fail(f"timed out waiting for {step!r}; got {[e['step'] for e in self.steps()]}\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


async def test_log_in_chat_and_see_the_reply_rendered(display, server, tmp_path):
    # Real names make the screenshots read like a real conversation.
    alice_name = unique_name("alice")
    async with Client(server.url) as alice_sdk:
        await alice_sdk.register(alice_name, PASSWORD, display_name="Alice Martin")
    bob = Client(server.url)
    await bob.register(unique_name("bob"), PASSWORD, display_name="Bob Chen")
    SHOTS.mkdir(parents=True, exist_ok=True)
    answers = tmp_path / "answers.json"
    spec = {
        "url": server.url,
        "config_dir": str(tmp_path / "config"),
        "username": alice_name,
        "password": PASSWORD,
        "peer": bob.user.username,
        "peer_display": bob.user.display_name,
        "unknown": "nobody_" + unique_name(),
        "outgoing": "Hi Bob! Sent from the desktop app.",
        "incoming": "Hello Alice, got it. This reply came from another client over the SDK.",
        "group": "Weekend hike",
        "own_group": "Book club",
        "group_last": "Who's in for Saturday? Forecast says sunny.",
        "group_reply": "Count me in! I'll bring snacks.",
        "more": ["Great, the receipts work too", "Lunch tomorrow?", "I'll book a table for noon"],
        "edited": "Lunch tomorrow? Or Friday if that suits you better",
        "report": str(tmp_path / "report.jsonl"),
        "answers": str(answers),
        "shots": str(SHOTS),
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    log = tmp_path / "app.log"
    env = {**os.environ, "DISPLAY": display, "PARLEY_DESKTOP_CONFIG_DIR": ""}
    started = time.monotonic()
    proc = launch(tmp_path / "spec.json", env, log)
    report = Report(Path(spec["report"]), proc, log)
    try:
        await report.wait("logged_in", 40)
        error = await report.wait("unknown_user_error")
        assert str(error["text"]).startswith("No user called “nobody_")

        chat_id = int((await report.wait("chat_open"))["chat_id"])
        await bob.chat(chat_id)
        answers.write_text(json.dumps({"peer_ready": True}))

        await report.wait("sent")
        message = await bob.next_event(10)
        while not isinstance(message, Message):
            message = await bob.next_event(10)
        assert message.text == spec["outgoing"] and message.sender.username == alice_name
        assert message.chat_id == chat_id

        await bob.mark_read(chat_id, message.seq)
        await bob.typing(chat_id, True)
        await report.wait("typing_seen")
        await asyncio.sleep(0.5)
        await bob.send(chat_id, spec["incoming"])
        rendered = await report.wait("rendered")
        assert rendered["texts"] == [spec["outgoing"], spec["incoming"]]
        assert rendered["own_status"] == "read"
        assert rendered["own_further_right"] is True
        assert rendered["typing_after"] == ""

        edited = await report.wait("edited")
        assert edited["menu"] == ["Edit", "Delete"] and str(edited["meta"]).endswith("·  edited")
        change = await bob.next_event(10)
        while not isinstance(change, MessageEdited):
            change = await bob.next_event(10)
        assert (change.target_seq, change.new_text) == (edited["seq"], spec["edited"])
        oops = await bob.send(chat_id, "Oops, wrong chat")
        await bob.delete(chat_id, oops.seq)
        deleted = await report.wait("deleted_seen")
        assert deleted == {"step": "deleted_seen", "italic": True, "offered": False}  # not hers to delete

        group = await bob.create_group(spec["group"], [alice_name])
        for i in range(1, 61):
            await bob.send(group.id, f"Trail note {i:02d}")
        await bob.send(group.id, spec["group_last"])
        paged = await report.wait("paged")
        assert paged["rows"] == 62 and paged["first"] == "Trail note 01"
        assert 0.0 < float(paged["scroll_y"]) < 0.95, "after loading older messages the view stays where it was"
        group_view = await report.wait("group")
        assert group_view["sender_labels"] == ["Bob Chen"]  # a group names the sender once per run of messages
        assert str(group_view["status"]).startswith("2 members")
        created = await report.wait("group_created")
        added = await bob.chat(int(created["chat_id"]))
        assert added.title == "Book club" and added.my_role == "member"
        assert {m.username for m in added.members} == {alice_name, bob.user.username}
        layout = await report.wait("layout", 30)
        list_height, (_y, pane_height, _scroll) = layout["list_height"], layout["scroll"]
        assert list_height <= pane_height, f"a short conversation must fit its pane unclipped: {layout}"
        await report.wait("done", 60)
        assert proc.wait(15) == 0, report.tail()
    finally:
        await bob.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    shots = [e["name"] for e in report.steps() if e["step"] == "screenshot"]
    assert shots == [
        "desktop-login",
        "desktop-new-chat-error",
        "desktop-message-menu",
        "desktop-editing",
        "desktop-chat",
        "desktop-chat-dark",
        "desktop-group",
        "desktop-group-members",
        "desktop-phone-chat",
        "desktop-phone-list",
    ]
    from PIL import Image

    for name in shots:
        with Image.open(SHOTS / f"{name}.png") as image:
            colors = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
            assert len(colors) > 50, f"{name}.png looks blank"
    config = json.loads((tmp_path / "config" / "desktop.json").read_text())
    assert config["token"] and config["server_url"] == server.url

    # Start the app again: it resumes the session from the stored token, without the login screen.
    spec.update(mode="resume", report=str(tmp_path / "resume.jsonl"))
    (tmp_path / "resume.json").write_text(json.dumps(spec))
    again = launch(tmp_path / "resume.json", env, tmp_path / "resume.log")
    try:
        resumed = await Report(Path(spec["report"]), again, tmp_path / "resume.log").wait("resumed", 30)
        assert resumed["user"] == alice_name
        assert resumed["chats"] == ["Bob Chen", "Book club", spec["group"]]
        assert again.wait(15) == 0
    finally:
        if again.poll() is None:
            again.kill()
            again.wait(10)
    assert time.monotonic() - started < 90, "the window test must stay within its time budget"
