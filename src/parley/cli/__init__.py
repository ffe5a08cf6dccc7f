"""The ``parley`` command line (Typer + Rich)."""

from __future__ import annotations

from .main import app, main

__all__ = ["app", "main"]
