"""Settings: every one has a safe default and a ``PARLEY_*`` environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"PARLEY_{name}", default)


@dataclass(frozen=True)
class Settings:
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", "./data")))
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", ""))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    log_level: str = field(default_factory=lambda: _env("LOG_LEVEL", "info"))
    max_message_chars: int = field(default_factory=lambda: int(_env("MAX_MESSAGE_CHARS", "4000")))
    max_http_body: int = field(default_factory=lambda: int(_env("MAX_HTTP_BODY", str(256 * 1024))))
    max_socket_payload: int = field(default_factory=lambda: int(_env("MAX_SOCKET_PAYLOAD", str(256 * 1024))))
    login_per_username: int = field(default_factory=lambda: int(_env("LOGIN_LIMIT_PER_USERNAME", "10")))
    login_per_address: int = field(default_factory=lambda: int(_env("LOGIN_LIMIT_PER_ADDRESS", "50")))
    login_window: float = field(default_factory=lambda: float(_env("LOGIN_LIMIT_WINDOW", "300")))
    session_recheck: float = field(default_factory=lambda: float(_env("SESSION_RECHECK", "5")))
    argon2_time_cost: int = field(default_factory=lambda: int(_env("ARGON2_TIME_COST", "3")))
    argon2_memory_kib: int = field(default_factory=lambda: int(_env("ARGON2_MEMORY_KIB", "65536")))
    presence_ttl: float = field(default_factory=lambda: float(_env("PRESENCE_TTL", "30")))
    presence_max_group: int = field(default_factory=lambda: int(_env("PRESENCE_MAX_GROUP", "50")))
    web_dir: str = field(default_factory=lambda: _env("WEB_DIR", ""))
    cors_origins: str = field(default_factory=lambda: _env("CORS_ORIGINS", ""))

    @property
    def db_url(self) -> str:
        """The SQLAlchemy async URL: PostgreSQL (asyncpg) when given, else SQLite in the data dir."""
        url = self.database_url
        if not url:
            return f"sqlite+aiosqlite:///{(self.data_dir / 'parley.db').resolve()}"
        for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://", "postgresql+psycopg2://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        if url.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
        return url

    def replace(self, **changes: object) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


ENV_DOCS: dict[str, str] = {
    "PARLEY_HOST": "address to listen on (127.0.0.1)",
    "PARLEY_PORT": "port to listen on (8000)",
    "PARLEY_DATA_DIR": "data directory; holds parley.db when no database URL is set (./data)",
    "PARLEY_DATABASE_URL": "postgresql://user@host/db to use PostgreSQL (asyncpg); empty = SQLite",
    "PARLEY_REDIS_URL": "redis://host:6379 to fan out across several server processes; empty = in-process",
    "PARLEY_LOG_LEVEL": "debug, info, warning, error (info)",
    "PARLEY_MAX_MESSAGE_CHARS": "longest message text after trimming (4000)",
    "PARLEY_MAX_HTTP_BODY": "largest HTTP request body in bytes (262144)",
    "PARLEY_MAX_SOCKET_PAYLOAD": "largest Socket.IO packet in bytes (262144)",
    "PARLEY_LOGIN_LIMIT_PER_USERNAME": "login attempts per username per window (10)",
    "PARLEY_LOGIN_LIMIT_PER_ADDRESS": "login attempts per client address per window (50)",
    "PARLEY_LOGIN_LIMIT_WINDOW": "rate-limit window in seconds (300)",
    "PARLEY_SESSION_RECHECK": "seconds an open socket may act on a session before it is checked again (5)",
    "PARLEY_ARGON2_TIME_COST": "argon2id time cost (3)",
    "PARLEY_ARGON2_MEMORY_KIB": "argon2id memory cost in KiB (65536)",
    "PARLEY_PRESENCE_TTL": "with Redis: seconds after which a vanished process's users stop counting as online (30)",
    "PARLEY_PRESENCE_MAX_GROUP": "presence changes are pushed through groups of at most this many members (50)",
    "PARLEY_WEB_DIR": "directory of the built web client (web/dist next to the source tree)",
    "PARLEY_CORS_ORIGINS": (
        "comma-separated origins of other sites allowed to use the API and Socket.IO, e.g. the Vite dev server (none)"
    ),
}


def env_table() -> str:
    """The README's configuration table (a test keeps the README in step with this)."""
    rows = [f"| `{name}` | {meaning} |" for name, meaning in ENV_DOCS.items()]
    return "\n".join(["| variable | meaning (default) |", "|---|---|", *rows])
