"""``parley bench``: load scenarios that drive a real server with real Socket.IO clients in worker processes.

Each scenario seeds what it needs (through the storage layer when the bench starts the server itself),
runs its load from separate processes, and returns a :class:`~parley.bench.results.Result` that the runner
prints as a Rich table, writes as JSON and, on request, plots.
"""

from __future__ import annotations

from .results import Result

__all__ = ["Result"]
