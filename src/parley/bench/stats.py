"""Latency summaries: percentiles over raw samples (milliseconds)."""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank ``q`` percentile (0-100) of an ascending list."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(samples: Iterable[float]) -> dict[str, float]:
    """count, mean, p50, p90, p99 and max of the samples, rounded to microseconds."""
    ordered = sorted(samples)
    if not ordered:
        return {"count": 0, "mean": math.nan, "p50": math.nan, "p90": math.nan, "p99": math.nan, "max": math.nan}
    return {
        "count": len(ordered),
        "mean": round(sum(ordered) / len(ordered), 3),
        "p50": round(percentile(ordered, 50), 3),
        "p90": round(percentile(ordered, 90), 3),
        "p99": round(percentile(ordered, 99), 3),
        "max": round(ordered[-1], 3),
    }
