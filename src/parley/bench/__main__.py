"""``python -m parley.bench SCENARIO ...`` — the same commands as ``parley bench``."""

from parley.cli.bench import app

app()
