"""The scenarios of ``parley bench``: each is ``run(bench, **params) -> Result``."""

from __future__ import annotations

from collections.abc import Callable

from ..results import Result
from . import connections, fanout, history, pingpong, reconnect, throughput

SCENARIOS: dict[str, Callable[..., Result]] = {
    "pingpong": pingpong.run,
    "throughput": throughput.run,
    "fanout": fanout.run,
    "connections": connections.run,
    "history": history.run,
    "reconnect": reconnect.run,
}

__all__ = ["SCENARIOS"]
