"""`flask --app server push [--dry-run] [--enqueue-all --year YEAR]`: the push to the provincial system, for cron.

    push                         make batches of what is pending, send every unacknowledged batch (retrying with
                                 backoff, PUSH_MAX_ATTEMPTS per batch), print each batch's import summary and totals
    push --dry-run               print what would be sent (batches, items per kind, bytes, first ids); writes nothing
    push --enqueue-all --year Y  first queue the settled forms of year Y not pushed yet (an endpoint set up late)

Exit status: 0 when everything pending was acknowledged and nothing was refused; 1 when the command was refused
(no PUSH_URL, a bad year); 2 when the endpoint refused a batch or an item, or a batch could not be sent or is
still waiting for its next attempt (it stays queued, with its backoff, for the next run). An acknowledged batch is
never sent again.
"""

from __future__ import annotations

import sys

import click

from server.core.db import writing
from server.core.errors import Problem, field_error
from server.core.requests import fail_command
from server.exports import push as ops
from server.extensions import db


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "-"


def _print_report(report: dict) -> None:
    head = (f"batch / lô {report['batch']} ({report['key']}): {report['records']} records / hồ sơ, "
            f"{report['aggregates']} aggregates / số liệu tổng hợp")
    outcome = report["outcome"]
    if outcome == "acknowledged":
        s = report["summary"]
        click.echo(f"{head}: acknowledged / đã nhận: status {s['status']}, imported {s['imported']}, updated "
                   f"{s['updated']}, ignored {s['ignored']}; accepted / chấp nhận {report['accepted']}, refused / "
                   f"từ chối {report['refused']}")
        for c in s["conflicts"]:
            click.echo(f"  refused / từ chối {c['id']}: {c['message']}", err=True)
    elif outcome == "refused":
        click.echo(f"{head}: refused by the endpoint / bị từ chối: {report['error']}", err=True)
    elif outcome == "waiting":
        click.echo(f"{head}: waiting until / chờ đến {_when(report['next_attempt_at'])} "
                   f"(attempts / số lần đã thử {report['attempts']})", err=True)
    else:
        click.echo(f"{head}: not sent / chưa gửi được after {report['attempts']} attempts / lần: {report['error']}; "
                   f"next attempt / thử lại lúc {_when(report['next_attempt_at'])}", err=True)


@click.command("push")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; write and send nothing.")
@click.option("--enqueue-all", is_flag=True, help="First queue the settled forms of --year not pushed yet.")
@click.option("--year", type=int, default=None, help="Review year for --enqueue-all / năm rà soát.")
def push(dry_run: bool, enqueue_all: bool, year: int | None):
    """Push approved records and aggregates to the provincial endpoint (PUSH_URL)."""
    if enqueue_all and year is None:
        fail_command(Problem("validation_failed", fields=[field_error(
            "--year", "--enqueue-all cần --year: năm rà soát của các phiếu cần đưa vào hàng đợi.",
            "--enqueue-all needs --year: the review year of the forms to queue.")]))
    try:
        with writing():
            if enqueue_all:
                queued = ops.enqueue_all(year)
                db.session.commit()
                click.echo(f"queued / đã đưa vào hàng đợi: {queued} forms / phiếu of / năm {year}")
            if dry_run:
                _print_dry_run(ops.dry_run())
                return
            reports = ops.push()
    except Problem as problem:
        fail_command(problem)
    for report in reports:
        _print_report(report)
    t = ops.totals(reports)
    click.echo(f"total / tổng: {t['batches']} batches / lô, {t['acknowledged']} acknowledged / đã nhận, "
               f"{t['refused_batches']} refused / bị từ chối, {t['unsent']} not sent / chưa gửi được; items / mục: "
               f"{t['accepted']} accepted / chấp nhận, {t['refused']} refused / từ chối")
    sys.exit(2 if t["refused_batches"] or t["unsent"] or t["refused"] else 0)


def _print_dry_run(plan: dict) -> None:
    click.echo(f"dry run / chạy thử: nothing is sent or written / không gửi, không ghi gì; endpoint / nơi nhận: "
               f"{plan['host']}")
    for b in plan["waiting"]:
        click.echo(f"  batch / lô {b['batch']} (made, attempts {b['attempts']}): {b['records']} records, "
                   f"{b['aggregates']} aggregates, {b['bytes']:,} bytes")
    for n, b in enumerate(plan["new"], 1):
        click.echo(f"  new batch / lô mới {n}: {b['records']} records, {b['aggregates']} aggregates, "
                   f"{b['bytes']:,} bytes")
    for u in plan["unbuildable"]:
        click.echo(f"  cannot be made / không lập được ({u['kind']} {u['row']}): {u['message']}", err=True)
    click.echo(f"would send / sẽ gửi: {plan['batches']} batches / lô, {plan['records']} records / hồ sơ, "
               f"{plan['aggregates']} aggregates / số liệu tổng hợp, {plan['bytes']:,} bytes")
    for kind, ids in plan["first_ids"].items():
        if ids:
            click.echo(f"  first {kind} ids / mã đầu tiên: {', '.join(ids)}")


def register(app) -> None:
    """Add the command to the app (server.cli.init_app calls it)."""
    app.cli.add_command(push)
