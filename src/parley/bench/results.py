"""A scenario's result: what it measured, against which targets, on which machine; as a table and as JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass
class Goal:
    name: str
    value: float
    op: str  # "<" or ">="
    limit: float

    @property
    def met(self) -> bool:
        if isinstance(self.value, float) and math.isnan(self.value):
            return False
        return self.value < self.limit if self.op == "<" else self.value >= self.limit


@dataclass
class Result:
    scenario: str
    params: dict[str, Any]
    metrics: dict[str, Any]
    series: list[dict[str, Any]] = field(default_factory=list)
    series_x: str | None = None  # the column the series varies (plotted on the x axis)
    checks: dict[str, Any] = field(default_factory=dict)  # correctness verified along the way
    targets: list[Goal] = field(default_factory=list)
    samples: dict[str, list[float]] = field(default_factory=dict)  # raw latencies (ms) for plots, not JSON
    machine: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    elapsed_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("samples")
        out["targets"] = [{**asdict(t), "met": t.met} for t in self.targets]
        return out

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = self.started_at.replace(":", "").replace("-", "").replace("+0000", "Z")
        path = directory / f"{self.scenario}-{stamp}.json"
        path.write_text(json.dumps(self.to_json(), indent=2, default=_jsonable) + "\n")
        latest = directory / f"{self.scenario}-latest.json"
        latest.write_text(path.read_text())
        return path

    def print(self, console: Console) -> None:
        table = Table(title=f"parley bench {self.scenario}", show_header=True, header_style="bold")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key, value in _flatten(self.metrics):
            table.add_row(key, _fmt(value))
        for key, value in _flatten(self.checks):
            table.add_row(f"check: {key}", _fmt(value))
        console.print(table)
        if self.series:
            columns = list(self.series[0])
            st = Table(show_header=True, header_style="bold")
            for c in columns:
                st.add_column(c, justify="right")
            for row in self.series:
                st.add_row(*(_fmt(row.get(c)) for c in columns))
            console.print(st)
        if self.targets:
            tt = Table(title="targets", show_header=True, header_style="bold")
            for c in ("target", "measured", "limit", "met"):
                tt.add_column(c, justify="right" if c != "target" else "left")
            for t in self.targets:
                tt.add_row(t.name, _fmt(t.value), f"{t.op} {_fmt(t.limit)}", "[green]yes[/]" if t.met else "[red]no[/]")
            console.print(tt)


def _flatten(d: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in d.items():
        if isinstance(v, dict):
            out.extend(_flatten(v, f"{prefix}{k}."))
        else:
            out.append((f"{prefix}{k}", v))
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    return repr(value)
