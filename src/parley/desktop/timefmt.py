"""How times read in the client: ``14:05`` today, ``Mon 14:05`` this week, ``3 Mar`` before."""

from __future__ import annotations

from datetime import datetime


def short_time(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return ""
    local = when.astimezone()
    now = (now or datetime.now().astimezone()).astimezone()
    if local.date() == now.date():
        return local.strftime("%H:%M")
    if 0 < (now.date() - local.date()).days < 7:
        return local.strftime("%a %H:%M")
    return f"{local.day} {local.strftime('%b')}"
