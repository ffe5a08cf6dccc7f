"""Each bench scenario runs at a tiny size against a real server and writes a well-formed result.

Never a timed assertion: the numbers are for ``parley bench``, not for the test suite.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from parley.bench.runner import Options, run_scenario

TINY: dict[str, dict[str, Any]] = {
    "pingpong": {"count": 20, "warmup": 2},
    "throughput": {"pairs": 3, "window": 2, "seconds": 0.5, "warmup": 0.1},
    "fanout": {"members": (6, 9), "senders": 2, "messages": 4},
    "connections": {"count": 20, "concurrency": 5},
    "history": {"levels": (0, 500), "pages": 3, "seconds": 0.3, "window": 2},
    "reconnect": {"clients": 6, "messages": 30},
}


def _numbers(value: Any) -> list[float]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, list):
        return [x for v in value for x in _numbers(v)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    return []


@pytest.mark.parametrize("scenario", sorted(TINY))
def test_scenario_writes_a_well_formed_result(scenario: str, tmp_path: Path) -> None:
    result = run_scenario(scenario, Options(out=tmp_path, plot=True, workers=2, quiet=True), TINY[scenario])

    written = json.loads((tmp_path / f"{scenario}-latest.json").read_text())
    assert written["scenario"] == scenario
    assert written["machine"]["cores_logical"] >= 1 and written["machine"]["python"]
    assert written["server"]["managed"] is True
    assert written["server"]["env"]["PARLEY_ARGON2_TIME_COST"] == "1"
    assert written["metrics"] and all(not math.isinf(x) for x in _numbers(written["metrics"]))
    for target in written["targets"]:
        assert {"name", "value", "op", "limit", "met"} <= target.keys()
    assert (tmp_path / f"{scenario}-latest.png").stat().st_size > 1000
    assert not [p for p in tmp_path.iterdir() if p.is_dir()], "the bench's data directories are removed"
    _check_scenario(scenario, result.to_json())


def _check_scenario(scenario: str, r: dict[str, Any]) -> None:
    m, checks = r["metrics"], r["checks"]
    if scenario == "pingpong":
        assert m["messages"] == 20 and m["latency_ms"]["count"] == 20
        assert 0 < m["latency_ms"]["p50"] <= m["latency_ms"]["max"]
    elif scenario == "throughput":
        assert checks["stored_messages"] == checks["acked_total"] > 0
        assert checks["every_ack_persisted"] is True
    elif scenario == "fanout":
        assert [row["members"] for row in r["series"]] == [6, 9]
        assert [row["deliveries"] for row in r["series"]] == [4 * 4, 7 * 4]
        assert checks == {"lost_deliveries_6": 0, "lost_deliveries_9": 0}
    elif scenario == "connections":
        assert m["connections"] == 20 and checks["failed_connections"] == 0
        assert m["server_rss_after_mb"] > 0
    elif scenario == "history":
        assert [row["stored_messages"] for row in r["series"]] == [0, 500]
        assert all(row["send_per_s"] > 0 and row["deep_page_p50_ms"] > 0 for row in r["series"])
    elif scenario == "reconnect":
        assert checks == {"lost": 0, "doubled": 0, "clients_complete": 6}
