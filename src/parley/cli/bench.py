"""``parley bench SCENARIO``: load a real server with real Socket.IO clients and report the numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Load benchmarks: start (or target with --url) a server, drive it from worker processes, report.",
    no_args_is_help=True,
    add_completion=False,
)

Out = Annotated[Path, typer.Option("--out", help="where JSON results (and plots) go")]
Url = Annotated[str | None, typer.Option("--url", help="target a running server instead of starting one")]
Plot = Annotated[bool, typer.Option("--plot", help="also write a PNG plot")]
Workers = Annotated[int, typer.Option("--workers", min=1, help="load-generating processes")]
Keep = Annotated[bool, typer.Option("--keep-data", help="keep the bench server's data directories")]


def _run(scenario: str, out: Path, url: str | None, plot: bool, workers: int, keep: bool, **params: object) -> None:
    from ..bench.runner import Options, run_scenario
    from ..bench.server import BenchError

    options = Options(out=out, url=url, plot=plot, workers=workers, keep_data=keep)
    try:
        run_scenario(scenario, options, params)
    except BenchError as exc:
        typer.echo(f"bench {scenario} failed: {exc}", err=True)
        raise typer.Exit(1) from None


@app.command()
def pingpong(
    count: Annotated[int, typer.Option(help="measured messages")] = 2000,
    warmup: Annotated[int, typer.Option(help="unmeasured messages first")] = 200,
    out: Out = Path("bench-results"),
    url: Url = None,
    plot: Plot = False,
    workers: Workers = 1,
    keep_data: Keep = False,
) -> None:
    """Two users, one message in flight at a time: the latency floor."""
    _run("pingpong", out, url, plot, workers, keep_data, count=count, warmup=warmup)


@app.command()
def throughput(
    pairs: Annotated[int, typer.Option(help="1:1 chats, each with one sender")] = 64,
    window: Annotated[int, typer.Option(help="sends in flight per sender")] = 1,
    seconds: Annotated[float, typer.Option(help="measured duration")] = 10.0,
    warmup: Annotated[float, typer.Option(help="unmeasured seconds first")] = 2.0,
    out: Out = Path("bench-results"),
    url: Url = None,
    plot: Plot = False,
    workers: Workers = 2,
    keep_data: Keep = False,
) -> None:
    """Many pairs sending as fast as acks allow: persisted messages per second."""
    _run("throughput", out, url, plot, workers, keep_data, pairs=pairs, window=window, seconds=seconds, warmup=warmup)


@app.command()
def fanout(
    members: Annotated[list[int] | None, typer.Option("--members", help="group size; repeat for several")] = None,
    senders: Annotated[int, typer.Option(help="members who send")] = 1,
    messages: Annotated[int | None, typer.Option(help="messages per size [~50k deliveries]")] = None,
    out: Out = Path("bench-results"),
    url: Url = None,
    plot: Plot = False,
    workers: Workers = 2,
    keep_data: Keep = False,
) -> None:
    """One group of N online members; deliveries per second."""
    sizes = tuple(members or [500])
    _run("fanout", out, url, plot, workers, keep_data, members=sizes, senders=senders, messages=messages)


@app.command()
def connections(
    count: Annotated[int, typer.Option(help="idle connections (capped by the open-files limit)")] = 5000,
    concurrency: Annotated[int, typer.Option(help="connects in flight")] = 100,
    out: Out = Path("bench-results"),
    url: Url = None,
    plot: Plot = False,
    workers: Workers = 2,
    keep_data: Keep = False,
) -> None:
    """N idle authenticated connections: server memory per connection, time to connect all."""
    _run("connections", out, url, plot, workers, keep_data, count=count, concurrency=concurrency)


@app.command()
def history(
    levels: Annotated[list[int] | None, typer.Option("--level", help="stored messages; repeat [0 10k 100k 1M]")] = None,
    pages: Annotated[int, typer.Option(help="history requests per kind and level")] = 300,
    seconds: Annotated[float, typer.Option(help="send measurement per level")] = 3.0,
    window: Annotated[int, typer.Option(help="sends in flight")] = 16,
    out: Out = Path("bench-results"),
    plot: Plot = False,
    keep_data: Keep = False,
) -> None:
    """Send rate and page latency with 0 → 1M stored messages: the curve must be flat."""
    from ..bench.scenarios.history import LEVELS

    chosen = tuple(levels or LEVELS)
    _run("history", out, None, plot, 1, keep_data, levels=chosen, pages=pages, seconds=seconds, window=window)


@app.command()
def reconnect(
    clients: Annotated[int, typer.Option(help="members who drop and reconnect")] = 500,
    messages: Annotated[int, typer.Option(help="messages stored while they are away")] = 200,
    out: Out = Path("bench-results"),
    url: Url = None,
    plot: Plot = False,
    workers: Workers = 2,
    keep_data: Keep = False,
) -> None:
    """N clients reconnect at once after M messages: time until all caught up, nothing lost or doubled."""
    _run("reconnect", out, url, plot, workers, keep_data, clients=clients, messages=messages)


@app.command("all")
def run_all(
    out: Out = Path("bench-results"),
    plot: Plot = True,
    quick: Annotated[bool, typer.Option("--quick", help="tiny sizes: a smoke run")] = False,
) -> None:
    """The standard set (``make bench``): every scenario at its documented size."""
    from ..bench.runner import Options, run_scenario

    standard: list[tuple[str, dict[str, object], int]] = [
        ("pingpong", {"count": 2000, "warmup": 200}, 1),
        ("throughput", {"pairs": 64, "window": 1, "seconds": 10.0, "warmup": 2.0}, 2),
        ("fanout", {"members": (100, 500, 2000), "senders": 1, "messages": None}, 2),
        ("connections", {"count": 5000, "concurrency": 100}, 2),
        ("history", {"levels": (0, 10_000, 100_000, 1_000_000), "pages": 300, "seconds": 3.0, "window": 16}, 1),
        ("reconnect", {"clients": 500, "messages": 200}, 2),
    ]
    if quick:
        standard = [
            ("pingpong", {"count": 50, "warmup": 5}, 1),
            ("throughput", {"pairs": 4, "window": 1, "seconds": 1.0, "warmup": 0.2}, 2),
            ("fanout", {"members": (10,), "senders": 1, "messages": 5}, 2),
            ("connections", {"count": 50, "concurrency": 10}, 2),
            ("history", {"levels": (0, 1000), "pages": 5, "seconds": 0.5, "window": 2}, 1),
            ("reconnect", {"clients": 10, "messages": 20}, 2),
        ]
    for name, params, workers in standard:
        run_scenario(name, Options(out=out, plot=plot, workers=workers), params)
