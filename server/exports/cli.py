"""The machine contract of issue 13, exactly as written there:

    flask --app server export TABLE --year YEAR [--unit CODE] [--basis approved|recognised|submitted] --out FILE
        TABLE: results, poor-flows, near-poor-flows, deficits, deficits-percent (XLSX or CSV), or households
        (with --class poor|near-poor|middle|escaped|newly-poor and --format xlsx|csv|jsonl).

The format follows the file's extension (.xlsx, .csv, .jsonl); `--format` names it when the file has none, and a
`--format` that contradicts the extension is refused. A household list is personal data: `--purpose` says why
(recorded in the audit trail with the system user who ran the command; default "command line export"). The file
is written beside FILE under a temporary name and renamed when complete, so a failed export leaves nothing
half-written. Exit status 0 on success, 1 on a refusal (printed in Vietnamese and English, naming the option).
"""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path

import click

from server.core.db import writing
from server.core.errors import Problem, field_error
from server.core.requests import fail_command
from server.exports import operations
from server.extensions import db


def init_app(app) -> None:
    """Register `flask export`."""
    app.cli.add_command(export)


def _format(out: str, fmt: str | None) -> str:
    ext = Path(out).suffix.lower().lstrip(".")
    if ext in operations.FORMATS:
        if fmt and fmt.lower() != ext:
            raise Problem("validation_failed", fields=[field_error(
                "format", f"--format {fmt} khác đuôi tệp .{ext}.", f"--format {fmt} contradicts the file's .{ext}.")])
        return ext
    if fmt:
        return fmt.lower()
    raise Problem("validation_failed", fields=[field_error(
        "out", "Tệp phải có đuôi .xlsx, .csv hoặc .jsonl (hoặc ghi --format).",
        "The file must end in .xlsx, .csv or .jsonl (or give --format).")])


@click.command("export")
@click.argument("table")
@click.option("--year", required=True, help="Review year / năm rà soát.")
@click.option("--unit", default=None, help="Unit code (default: the province) / mã đơn vị.")
@click.option("--basis", default="approved", help="approved | recognised | submitted.")
@click.option("--out", "out", required=True, help="The file to write (.xlsx, .csv, .jsonl).")
@click.option("--class", "list_name", default=None,
              help="households: poor | near-poor | middle | escaped | newly-poor.")
@click.option("--format", "fmt", default=None, help="xlsx | csv | jsonl (default: the file's extension).")
@click.option("--purpose", default="command line export", help="households: why the list is exported (audited).")
def export(table, year, unit, basis, out, list_name, fmt, purpose):
    """Write a report table or a household list to FILE."""
    try:
        operations.check_table(table)
        fmt = _format(out, fmt)
        with writing():
            if table == "households":
                if list_name is None:
                    raise Problem("validation_failed", fields=[field_error(
                        "class", "Danh sách hộ cần --class.", "A household list needs --class.")])
                made = operations.household_list(list_name, year, unit, basis, fmt, None, purpose,
                                                 actor_name=f"command:{_os_user()}")
                db.session.commit()  # the audit entry stands even if writing fails
            else:
                made = operations.report(table, year, unit, basis, None, fmt)
    except Problem as problem:
        fail_command(problem)
    target = Path(out)
    if not target.parent.is_dir() or target.is_dir():
        fail_command(Problem("validation_failed", fields=[field_error(
            "out", f"Không ghi được {out}: thư mục không có, hoặc đó là một thư mục.",
            f"Cannot write {out}: its folder does not exist, or it is a folder.")]))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            rows = operations.write(made, f)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    click.echo(f"{target}: {rows} dòng / rows ({made.file_name})")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
