"""What a result was measured on: the machine, the Python and the libraries that matter for the numbers."""

from __future__ import annotations

import os
import platform
import resource
import sys
from importlib import metadata
from typing import Any

PACKAGES = (
    "parley-chat",
    "python-socketio",
    "python-engineio",
    "uvicorn",
    "websockets",
    "aiohttp",
    "sqlalchemy",
    "aiosqlite",
    "pydantic",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    import sqlite3

    import psutil

    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return {
        "hostname": platform.node(),
        "os": platform.platform(),
        "cpu_model": _cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_total_mb": round(psutil.virtual_memory().total / 2**20),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "nofile_limit": [soft, hard],
        "packages": versions,
    }


def raise_nofile_limit() -> int:
    """Raise this process's open-files limit to the hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft
