"""``python -m parley.desktop [SERVER_URL]``."""

from __future__ import annotations

import sys

from .app import run

run(sys.argv[1] if len(sys.argv) > 1 else None)
