"""The Parley server: the only part that touches the database."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
