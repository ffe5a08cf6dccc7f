"""``--plot``: one PNG per result — its series against the varied parameter, and latency distributions."""

from __future__ import annotations

from pathlib import Path

from .results import Result


def plot(result: Result, directory: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = int(bool(result.series and result.series_x)) + int(bool(result.samples))
    fig, axes = plt.subplots(1, max(panels, 1), figsize=(6.5 * max(panels, 1), 4.5), squeeze=False)
    ax_iter = iter(axes[0])
    if result.series and result.series_x:
        ax = next(ax_iter)
        x = [row[result.series_x] for row in result.series]
        left = [k for k in result.series[0] if k != result.series_x and k.endswith("_ms")]
        right = [k for k in result.series[0] if k.endswith("_per_s")]
        for key in left:
            ax.plot(x, [row[key] for row in result.series], marker="o", label=key)
        ax.set_xlabel(result.series_x)
        ax.set_ylabel("milliseconds")
        if all(isinstance(v, int | float) and v > 0 for v in x) and max(x) / max(min(x), 1) >= 100:
            ax.set_xscale("symlog", linthresh=max(min(v for v in x if v > 0), 1))
        ax.set_ylim(bottom=0)
        if right:
            ax2 = ax.twinx()
            for key in right:
                ax2.plot(x, [row[key] for row in result.series], marker="s", linestyle="--", label=key, color="black")
            ax2.set_ylabel("per second")
            ax2.set_ylim(bottom=0)
            ax2.legend(loc="lower right", fontsize=8)
        ax.legend(loc="upper left", fontsize=8)
        ax.set_title(f"{result.scenario}: by {result.series_x}")
        ax.grid(alpha=0.3)
    if result.samples:
        ax = next(ax_iter)
        for name, samples in result.samples.items():
            ordered = sorted(samples)
            if not ordered:
                continue
            n = len(ordered)
            ax.plot(ordered, [(i + 1) / n for i in range(n)], label=f"{name} (n={n:,})")
        ax.set_xscale("log")
        ax.set_xlabel("milliseconds (log)")
        ax.set_ylabel("fraction ≤ x")
        ax.set_title(f"{result.scenario}: latency distribution")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle(f"{result.machine.get('cpu_model', '')} · {result.machine.get('cores_usable', '?')} cores", fontsize=9)
    fig.tight_layout()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{result.scenario}-latest.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
