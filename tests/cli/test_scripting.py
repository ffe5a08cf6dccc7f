"""``parley send`` and ``parley listen`` against a real server, through the SDK."""

from __future__ import annotations

import asyncio
import json
import signal
import sys

from tests.cli.conftest import assert_clean_failure, cli_env, run_parley
from tests.conftest import PASSWORD
from tests.support.events import next_of

from parley.client import Message


async def parley_async(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "parley", *args, env=cli_env(env),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def start_listener(server, username: str, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "parley", "listen", "--url", server.url, "--user", username, *extra,
        env=cli_env({"PARLEY_PASSWORD": PASSWORD}),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def read_until(proc: asyncio.subprocess.Process, needle: str, within: float = 30) -> list[str]:
    lines: list[str] = []
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), within)).decode()
        assert line, f"listener ended before {needle!r}: {lines}"
        lines.append(line)
        if needle in line:
            return lines


async def test_send_to_a_username_opens_the_direct_chat(server, make_client):
    alice = await make_client(server)
    bob = await make_client(server)
    code, out, err = await parley_async(
        "send", "--url", server.url, "--user", alice.user.username, "--password", PASSWORD,
        bob.user.username, "hello from the command line",
    )  # fmt: skip
    assert code == 0, err
    assert "sent to chat" in out
    message = await next_of(bob, Message)
    assert (message.sender.username, message.text) == (alice.user.username, "hello from the command line")

    # By chat id, password from the environment, text from stdin, ack as JSON.
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "parley", "send", "--url", server.url, "--user", alice.user.username, "--json",
        f"#{message.chat_id}", "-",
        env=cli_env({"PARLEY_PASSWORD": PASSWORD}),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out_bytes, err_bytes = await asyncio.wait_for(proc.communicate(b"piped in\n"), 60)
    assert proc.returncode == 0, err_bytes.decode()
    ack = json.loads(out_bytes)
    assert ack["chat_id"] == message.chat_id and ack["seq"] == message.seq + 1
    assert (await next_of(bob, Message)).text == "piped in"


async def test_listen_prints_messages_as_they_arrive(server, make_client):
    alice = await make_client(server)
    bob = await make_client(server)
    chat = await alice.open_direct(bob.user.username)
    listener = await start_listener(server, bob.user.username, "--json", "--count", "2")
    await read_until(listener, '"state": "connected"')
    await alice.send(chat.id, "first")
    await alice.send(chat.id, "second ✓")
    out, err = await asyncio.wait_for(listener.communicate(), 30)
    assert listener.returncode == 0, err.decode()
    events = [json.loads(line) for line in out.decode().splitlines()]
    messages = [e for e in events if e["type"] == "Message"]
    assert [(m["text"], m["sender"]["username"], m["chat_id"]) for m in messages] == [
        ("first", alice.user.username, chat.id),
        ("second ✓", alice.user.username, chat.id),
    ]
    assert messages[1]["seq"] == messages[0]["seq"] + 1


async def test_listen_sees_new_chats_and_stops_cleanly_on_ctrl_c(server, make_client):
    alice = await make_client(server)
    bob = await make_client(server)
    listener = await start_listener(server, bob.user.username)
    await read_until(listener, "listening as")
    chat = await alice.open_direct(bob.user.username)  # a chat the listener did not know
    await alice.send(chat.id, "are you there?")
    lines = await read_until(listener, "are you there?")
    assert any(f"joined chat {chat.id}" in line for line in lines)
    assert any(alice.user.username in line for line in lines if "are you there?" in line)

    listener.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(listener.communicate(), 30)
    assert listener.returncode == 0, (out.decode(), err.decode())
    assert "Traceback" not in out.decode() + err.decode()


def test_send_and_listen_fail_cleanly(server):
    base = ["--url", server.url, "--user", "nobody-here", "--password", "whatever"]
    assert_clean_failure(run_parley("send", *base, "bob", "hi"), "wrong username or password")
    assert_clean_failure(run_parley("listen", *base), "wrong username or password")
    unreachable = ["--url", "http://127.0.0.1:9", "--user", "x", "--password", "y"]
    assert_clean_failure(run_parley("send", *unreachable, "bob", "hi"), "cannot reach")


async def test_send_to_an_unknown_user_says_so(server, make_client):
    alice = await make_client(server)
    code, _out, err = await parley_async(
        "send", "--url", server.url, "--user", alice.user.username, "--password", PASSWORD, "no-such-user", "hi"
    )
    assert code == 1 and "Traceback" not in err
    assert "user_not_found" in err


async def test_listen_shows_edits_and_deletions(server, make_client):
    alice = await make_client(server)
    bob = await make_client(server)
    chat = await alice.open_direct(bob.user.username)
    listener = await start_listener(server, bob.user.username)
    await read_until(listener, "listening as")
    ack = await alice.send(chat.id, "typo")
    await read_until(listener, "typo")
    await alice.edit(chat.id, ack.seq, "fixed")
    edited = await read_until(listener, "fixed")
    assert f"edited #{ack.seq}: fixed" in edited[-1] and alice.user.username in edited[-1]
    await alice.delete(chat.id, ack.seq)
    deleted = await read_until(listener, "deleted")
    assert f"deleted #{ack.seq}" in deleted[-1]
    listener.send_signal(signal.SIGINT)
    await asyncio.wait_for(listener.communicate(), 30)
