"""What the desktop client remembers between runs: server URL, username, session token, theme, outbox.

Kept as one JSON file in the user's config directory, written atomically with owner-only permissions
(the token is a bearer credential).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_SERVER = "http://127.0.0.1:8000"


def default_config_dir() -> Path:
    """``PARLEY_DESKTOP_CONFIG_DIR``, else the platform's per-user config directory."""
    override = os.environ.get("PARLEY_DESKTOP_CONFIG_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Parley"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Parley"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "parley"


@dataclass
class DesktopSettings:
    server_url: str = DEFAULT_SERVER
    username: str = ""
    token: str | None = None
    theme: str = "Light"
    # Sends not yet acknowledged: {"chat_id", "client_id", "text"}; resent with the same id on next start.
    outbox: list[dict[str, Any]] = field(default_factory=list)


class SettingsStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_config_dir()
        self.path = self.directory / "desktop.json"

    def load(self) -> DesktopSettings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return DesktopSettings()
        known = {k: v for k, v in raw.items() if k in DesktopSettings.__dataclass_fields__}
        return DesktopSettings(**known)

    def save(self, settings: DesktopSettings) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(self.directory, 0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(settings), f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        if os.name == "posix":
            os.chmod(tmp, 0o600)  # O_CREAT's mode does not apply when the file already existed
        os.replace(tmp, self.path)
