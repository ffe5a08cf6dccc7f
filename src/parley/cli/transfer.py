"""``parley import-json`` / ``export-json``: move data from and back to the original prototype's file format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .local import DataDir, DbUrl, clean_errors, console, err, fail, run_with_services, settings_from

PROGRESS_FROM = 2000  # messages + users; smaller files import too fast for a bar to help


class _Bar:
    """Adapts services.transfer.Progress to a Rich progress bar (on stderr, so stdout stays a report)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def phase(self, description: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total)
        self.task = self.progress.add_task(description, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)


@clean_errors
def import_json(
    path: Annotated[Path, typer.Argument(help="the prototype's Users.json", exists=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate and report, write nothing")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Import the original prototype's database file (all-or-nothing; importing twice changes nothing)."""
    from ..server.services.prototype import PrototypeInvalid, load
    from ..server.services.transfer import ImportReport, import_prototype

    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    try:
        file = load(raw)
    except PrototypeInvalid as exc:
        fail(f"{path} is not a valid prototype database, nothing was imported\n  {exc.message}")
    settings = settings_from(data_dir, database_url)
    big = len(file.users) + file.message_count >= PROGRESS_FROM

    async def work(services: Any) -> ImportReport:
        if not big:
            return await import_prototype(services.ctx, file, dry_run=dry_run)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=False) as progress:
            return await import_prototype(services.ctx, file, progress=_Bar(progress), dry_run=dry_run)

    report = run_with_services(settings, work)
    _print_report(report)


def _print_report(report: Any) -> None:
    skipped = report.skipped_users + report.skipped_chats
    if skipped:
        table = Table(title="skipped (not imported)", title_style="bold yellow")
        table.add_column("where")
        table.add_column("name")
        table.add_column("reason")
        for item in skipped:
            table.add_row(item.where, escape(repr(item.name)), escape(item.reason))
        console.print(table)
    verb = "would import" if report.dry_run else "imported"
    console.print(
        f"[green]{verb}[/] users: {len(report.users_created)} new, {len(report.users_existing)} already present, "
        f"{len(report.skipped_users)} skipped; chats: {report.chats_created} new, {report.chats_existing} already "
        f"present, {len(report.skipped_chats)} skipped; messages: {report.messages_added} new, "
        f"{report.messages_existing} already present"
    )
    if report.dry_run:
        console.print("[yellow]dry run: nothing was written[/]")


@clean_errors
def export_json(
    path: Annotated[Path, typer.Argument(help="where to write the file ('-' for stdout)")],
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Write users and direct chats in the prototype's format (passwords are written as "")."""
    from ..server.services.transfer import export_prototype

    async def work(services: Any) -> dict[str, Any]:
        return await export_prototype(services.ctx)

    document = run_with_services(settings_from(data_dir, database_url), work)
    text = json.dumps(document, ensure_ascii=False)
    if str(path) == "-":
        typer.echo(text)
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    messages = sum(len(c["messages"]) for c in document["chats"])
    err.print(
        f"[green]exported[/] {len(document['users'])} users, {len(document['chats'])} chats, "
        f"{messages} messages to {escape(str(path))}"
    )
