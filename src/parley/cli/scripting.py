"""``parley send`` and ``parley listen``: script a running server through the SDK, like any other client."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from .local import console, fail

Url = Annotated[str, typer.Option("--url", envvar="PARLEY_URL", help="the server")]
User = Annotated[str, typer.Option("--user", "-u", envvar="PARLEY_USER", help="log in as")]
Password = Annotated[
    str | None,
    typer.Option(
        "--password",
        envvar="PARLEY_PASSWORD",
        help="prompted for when unset",
        show_default=False,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="one JSON object per line, for other programs")]
DEFAULT_URL = "http://127.0.0.1:8000"


def _password(password: str | None) -> str:
    return password if password is not None else str(typer.prompt("Password", hide_input=True))


def _run(coro: Any, *, interrupted: int = 130) -> Any:
    """Run the SDK coroutine; SDK errors become a red line and exit status 1, Ctrl-C a quiet exit."""
    from ..errors import ParleyError

    try:
        return asyncio.run(coro)
    except (KeyboardInterrupt, asyncio.CancelledError):  # engine.io's SIGINT handler cancels every task
        raise typer.Exit(interrupted) from None
    except ParleyError as exc:
        fail(f"{exc.message} ({exc.code})")


def send(
    target: Annotated[str, typer.Argument(help="a chat id (42 or #42) or a username (bob or @bob)")],
    text: Annotated[str, typer.Argument(help="the message; '-' reads it from stdin")],
    url: Url = DEFAULT_URL,
    user: User = "",
    password: Password = None,
    as_json: AsJson = False,
) -> None:
    """Send one message, to a chat by id or to a person (opening the direct chat if needed)."""
    if not user:
        fail("--user (or PARLEY_USER) is required")
    body = sys.stdin.read() if text == "-" else text
    secret = _password(password)

    async def main() -> Any:
        from ..client import Client

        async with Client(url, user_agent="parley-cli") as client:
            await client.login(user, secret)
            if target.lstrip("#").isdigit() and not target.startswith("@"):
                chat_id = int(target.lstrip("#"))
            else:
                chat_id = (await client.open_direct(target.removeprefix("@"))).id
            ack = await client.send(chat_id, body)
            await client.logout()
            return ack

    ack = _run(main())
    if as_json:
        typer.echo(json.dumps(_plain(ack)))
    else:
        console.print(f"[green]sent[/] to chat {ack.chat_id} as #{ack.seq}")


def listen(
    url: Url = DEFAULT_URL,
    user: User = "",
    password: Password = None,
    as_json: AsJson = False,
    count: Annotated[int, typer.Option("--count", help="exit after this many messages (0: run until Ctrl-C)")] = 0,
) -> None:
    """Print events as they arrive, until Ctrl-C (or --count messages)."""
    if not user:
        fail("--user (or PARLEY_USER) is required")
    secret = _password(password)

    async def main() -> int:
        from ..client import Client, ConnectionState, Message

        async with Client(url, user_agent="parley-cli") as client:
            await client.login(user, secret)
            # Ours replaces the handler engine.io installed on connect (which cancels every task).
            task = asyncio.current_task()
            assert task is not None
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, task.cancel)
            if not as_json:
                console.print(f"[dim]listening as {escape(user)} on {escape(url)}; Ctrl-C to stop[/]")
            seen = 0
            try:
                async for event in client.events():
                    _print_event(event, as_json)
                    if isinstance(event, ConnectionState) and event.state == "ended":
                        return 1
                    if isinstance(event, Message):
                        seen += 1
                        if count and seen >= count:
                            return 0
            except asyncio.CancelledError:
                return 0  # Ctrl-C: leave the async with, which disconnects cleanly
        return 0

    status = _run(main(), interrupted=0)  # Ctrl-C is how listening normally ends
    if status:
        raise typer.Exit(status)


def _print_event(event: Any, as_json: bool) -> None:
    from ..client import (
        ChatAdded,
        ChatEvent,
        ChatRemoved,
        ConnectionState,
        Message,
        MessageDeleted,
        MessageEdited,
        Presence,
        Typing,
    )

    if as_json:
        typer.echo(json.dumps({"type": type(event).__name__, **_plain(event)}, ensure_ascii=False))
        sys.stdout.flush()
        return
    if isinstance(event, Message):
        who = event.sender.username if event.sender else "?"
        console.print(f"[dim]chat {event.chat_id} #{event.seq}[/] [bold]{escape(who)}[/]: {escape(event.text or '')}")
    elif isinstance(event, MessageEdited | MessageDeleted):
        who = escape(event.sender.username if event.sender else "?")
        what = (
            f"edited #{event.target_seq}: {escape(event.new_text)}"
            if isinstance(event, MessageEdited)
            else (f"deleted #{event.target_seq}")
        )
        console.print(f"[dim]chat {event.chat_id} #{event.seq}[/] [bold]{who}[/] {what}")
    elif isinstance(event, ChatEvent):
        if event.kind != "read":
            console.print(f"[dim]chat {event.chat_id} #{event.seq} {event.kind} {escape(json.dumps(event.data))}[/]")
    elif isinstance(event, ChatAdded):
        console.print(f"[cyan]joined chat {event.chat.id}[/] {escape(event.chat.title)}")
    elif isinstance(event, ChatRemoved):
        console.print(f"[cyan]left chat {event.chat_id}[/]")
    elif isinstance(event, Typing):
        pass  # too chatty for a terminal; --json shows it
    elif isinstance(event, Presence):
        console.print(f"[dim]{escape(event.username)} is {'online' if event.online else 'offline'}[/]")
    elif isinstance(event, ConnectionState):
        console.print(f"[yellow]{event.state}[/]" + (f" ({escape(event.reason)})" if event.reason else ""))


def _plain(value: Any) -> Any:
    """Dataclasses → JSON-ready dicts (datetimes as ISO strings)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
