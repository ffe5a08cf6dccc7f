"""Prototype database files: the real one, generated large ones, and ways to compare them."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from tests.cli.conftest import PROTOTYPE


def real_prototype() -> dict[str, Any]:
    return json.loads(PROTOTYPE.read_text(encoding="utf-8"))


def generated_prototype(users: int = 200, messages: int = 5000, seed: int = 7) -> dict[str, Any]:
    """A realistic, larger file: many people, a few busy chats and a long tail, mixed scripts in texts."""
    rng = random.Random(seed)
    names = [f"user{i:03d}" if i % 3 else f"Person.{i}-x" for i in range(users)]
    pairs: list[tuple[str, str]] = []
    seen: set[frozenset[str]] = set()
    while len(pairs) < users * 2:
        a, b = rng.sample(names, 2)
        if frozenset((a, b)) not in seen:
            seen.add(frozenset((a, b)))
            pairs.append((a, b))
    weights = [1 / (i + 1) for i in range(len(pairs))]  # a few chats hold most of the messages
    chosen = rng.choices(range(len(pairs)), weights=weights, k=messages)
    words = ["hi", "привет", "ok", "see you", "🙂", "lunch?", "deploy done", "ça va", "123", "on my way"]
    chats: list[dict[str, Any]] = [{"ID": i, "users": list(p), "messages": []} for i, p in enumerate(pairs)]
    for n, index in enumerate(chosen):
        chat = chats[index]
        text = f"{rng.choice(words)} {n}"
        chat["messages"].append({"user": rng.choice(chat["users"]), "text": text})
    chats = [c for c in chats if c["messages"] or rng.random() < 0.5]
    chats_of: dict[str, list[int]] = {name: [] for name in names}
    for chat in chats:
        for name in chat["users"]:
            chats_of[name].append(chat["ID"])
    user_list = [
        {"ID": i, "username": name, "password": f"pw{i}", "chats": chats_of[name]} for i, name in enumerate(names)
    ]
    return {"users": user_list, "chats": chats}


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def shape(document: dict[str, Any]) -> dict[str, Any]:
    """What must survive import → export: users (in order) with their chats as pairs; each chat's pair and
    messages in order. Prototype IDs are renumbered by Parley, so chats are named by their pair."""
    pair_of = {chat["ID"]: tuple(chat["users"]) for chat in document["chats"]}
    return {
        "users": [(u["username"], sorted(pair_of[c] for c in u["chats"])) for u in document["users"]],
        "chats": [(tuple(c["users"]), [(m["user"], m["text"]) for m in c["messages"]]) for c in document["chats"]],
    }
