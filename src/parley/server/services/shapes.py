"""Rows → the protocol's JSON shapes (plain dicts: the hot path skips model construction)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..storage.db import iso


def user_ref(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {"id": int(row["id"]), "username": row["username"], "display_name": row["display_name"]}


def event_out(row: Mapping[Any, Any], sender: Mapping[Any, Any] | None = None) -> dict[str, Any]:
    """An event row (from storage.events) as ``EventOut``; ``sender`` overrides the joined sender columns."""
    sender_id = row["sender_id"]
    sender_ref: dict[str, Any] | None = None
    if sender is not None:
        sender_ref = user_ref(sender)
    elif sender_id is not None:
        sender_ref = {
            "id": int(sender_id),
            "username": row["sender_username"],
            "display_name": row["sender_display_name"],
        }
    data = row["data"]
    return {
        "id": int(row["id"]),
        "chat_id": int(row["chat_id"]),
        "seq": int(row["seq"]),
        "kind": row["kind"],
        "sender": sender_ref,
        "text": row["text"],
        "client_id": row["client_id"],
        "data": json.loads(data) if data else {},
        "sent_at": iso(row["created_at"]),
    }


def ack_out(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "id": int(row["id"]),
        "chat_id": int(row["chat_id"]),
        "seq": int(row["seq"]),
        "sent_at": iso(row["created_at"]),
        "client_id": row["client_id"],
    }
