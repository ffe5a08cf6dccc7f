"""Render the protocol reference (README) from the models in :mod:`parley.protocol`: never by hand."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from . import protocol


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (list, tuple):
        return f"[{_type_name(args[0])}]" if args else "list"
    if origin is dict:
        return f"{{{_type_name(args[0])}: {_type_name(args[1])}}}"
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " | ".join(_type_name(a) for a in args)
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.__name__
    return getattr(annotation, "__name__", str(annotation))


def fields(model: type[BaseModel] | None) -> str:
    if model is None:
        return "—"
    parts = []
    for name, info in model.model_fields.items():
        optional = "" if info.is_required() else "?"
        parts.append(f"`{name}{optional}: {_type_name(info.annotation)}`")
    return ", ".join(parts) or "{}"


def reply_name(reply: Any) -> str:
    return "—" if reply is None else f"`{_type_name(reply)}`"


def _cell(text: str) -> str:
    """Table cells may not hold a bare ``|`` (Markdown would split the cell there)."""
    return text.replace("|", "\\|")


def render() -> str:
    lines = [
        "Client → server events (Socket.IO, each answered through its ack with `{ok: true, data}` or "
        "`{ok: false, error: {code, message}}`):",
        "",
        "| event | payload | reply `data` |",
        "|---|---|---|",
    ]
    for name, (request, reply) in protocol.SOCKET_REQUESTS.items():
        lines.append(f"| `{name}` | {_cell(fields(request))} | {_cell(reply_name(reply))} |")
    lines += ["", "Server → client events:", "", "| event | payload |", "|---|---|"]
    for name, model in protocol.SOCKET_EVENTS.items():
        lines.append(f"| `{name}` | `{_type_name(model)}`: {_cell(fields(model))} |")
    shown: set[type[BaseModel]] = {
        protocol.EventOut,
        protocol.ChatOut,
        protocol.AckOut,
        protocol.SyncOut,
        protocol.UserOut,
        protocol.MemberOut,
        protocol.UserRef,
    }
    lines += ["", "Shapes:", ""]
    for model in sorted(shown, key=lambda m: m.__name__):
        lines.append(f"- `{model.__name__}`: {fields(model)}")
    lines += ["", "Chat event kinds (`EventOut.kind`): " + ", ".join(f"`{k}`" for k in protocol.EVENT_KINDS) + "."]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
