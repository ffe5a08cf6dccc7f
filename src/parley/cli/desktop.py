"""``parley desktop``: start the Kivy/KivyMD client (needs the ``desktop`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def desktop(
    server: Annotated[
        str | None, typer.Argument(help="server URL; default: the one used last (http://127.0.0.1:8000 at first)")
    ] = None,
    config_dir: Annotated[
        Path | None,
        typer.Option("--config-dir", help="where the token and settings live [env PARLEY_DESKTOP_CONFIG_DIR]"),
    ] = None,
) -> None:
    """Open the desktop client."""
    try:
        import kivy  # noqa: F401
        import kivymd  # noqa: F401
    except ImportError:
        typer.echo("The desktop client needs Kivy and KivyMD: pip install 'parley-chat[desktop]'", err=True)
        raise typer.Exit(1) from None
    from ..desktop.app import run

    run(server, config_dir)
