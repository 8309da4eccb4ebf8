"""The officer's page for what the review cannot give: official unit statuses (CSV import), plan targets and
external figures (server.indicators.status and .targets hold the rules; this module only reads the forms).

    GET  /plans              the three sections: import, targets, external figures (?target=ID / ?figure=ID edits)
    POST /plans/statuses     import the approved list's CSV (all rows or none)
    POST /plans/targets      add a target, or edit the one named by the form's `id`
    POST /plans/figures      add an external figure, or edit the one named by `id`

Commands: `flask --app server import-unit-statuses PATH`, `flask --app server seed-plan-targets [--file PATH]`.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from server.core.auth import current_actor, requires
from server.core.errors import Problem
from server.core.forms import ConfirmForm
from server.core.requests import fail_command, refuse_form_texts, undo_request_work
from server.core.scoping import units_below
from server.extensions import db
from server.indicators import status as st
from server.indicators import targets as tg
from server.indicators.models import ExternalFigure, OfficialStatus, PlanTarget
from server.places.models import Unit

bp = Blueprint("plans", __name__, template_folder="templates")
ROLES = ("officer", "admin")


def _row_id() -> int | None:
    """The row named by the form's `id` (None when adding); a bad id is 404."""
    raw = (request.form.get("id") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Problem("not_found")
    return int(raw)


def _editing(model, arg: str):
    """The row to edit named by `?target=` / `?figure=`, if it lies in the user's area."""
    raw = request.args.get(arg, "")
    if not raw.isdigit():
        return None
    row = db.session.get(model, int(raw))
    if row is None or row.unit_code not in _area_codes():
        return None
    return row


def _area_codes() -> set[str]:
    return set(db.session.execute(select(Unit.code).where(units_below(current_actor()))).scalars())


def _page(errors: dict | None = None, values: dict | None = None, status: int = 200):
    actor = current_actor()
    errors, values = errors or {}, values or {}
    counts = db.session.execute(
        select(OfficialStatus.criteria, OfficialStatus.status, func.count())
        .where(OfficialStatus.unit_code.in_(select(Unit.code).where(units_below(actor))))
        .group_by(OfficialStatus.criteria, OfficialStatus.status)
        .order_by(OfficialStatus.criteria, OfficialStatus.status)).all()
    target = _editing(PlanTarget, "target")
    figure = _editing(ExternalFigure, "figure")
    names = dict(db.session.execute(select(Unit.code, Unit.name).where(units_below(actor))).all())
    return render_template(
        "indicators/plans.html", form=ConfirmForm(), errors=errors, values=values, status_counts=counts,
        targets=tg.list_targets(actor=actor), figures=tg.list_external_figures(actor=actor), names=names,
        target_indicators=tg.TARGET_INDICATORS, comparisons=tg.COMPARISONS,
        external_indicators=tg.EXTERNAL_INDICATORS, editing_target=target, editing_figure=figure,
        target_text=lambda t: tg.target_text(t.comparison, t.target_value, tg.unit_of(t.indicator, t.comparison))
        if t.indicator in tg.TARGET_INDICATORS else {"vi": str(t.target_value), "en": str(t.target_value)},
        status_columns=st.STATUS_REQUIRED + st.STATUS_OPTIONAL), status


def _refused(section: str, problem: Problem):
    """The page again with the refusal's messages in its section, the form as typed, nothing written."""
    undo_request_work()
    body = problem.to_dict()
    messages = body.get("fields") or [{"path": "", "message": body["message"]}]
    return _page({section: messages}, {section: request.form.to_dict()}, problem.status)


@bp.get("/plans")
@requires(*ROLES)
def page():
    """Official statuses, plan targets and external figures of the user's area."""
    return _page()


@bp.post("/plans/statuses")
@requires(*ROLES)
def import_statuses():
    """Import official statuses from the approved list's CSV; nothing is written if any row is bad."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page({"statuses": [{"path": "file", "message": {
            "vi": "Hãy chọn một tệp CSV.", "en": "Choose a CSV file."}}]}, status=422)
    try:
        report = st.import_statuses(upload.read(), source=upload.filename, actor=current_actor())
    except Problem as problem:
        return _refused("statuses", problem)
    flash(_("Imported %(rows)d statuses: %(created)d new, %(updated)d updated, %(closed)d earlier periods closed.",
            rows=report.rows, created=report.created, updated=report.updated, closed=report.closed))
    return redirect(url_for("plans.page"))


@bp.post("/plans/targets")
@requires(*ROLES)
def save_target():
    """Add or edit a plan target."""
    try:
        refuse_form_texts()
        tg.save_target(current_actor(), request.form.to_dict(), _row_id())
    except Problem as problem:
        if problem.code == "not_found":
            raise
        return _refused("target", problem)
    flash(_("The target is saved."))
    return redirect(url_for("plans.page") + "#targets")


@bp.post("/plans/figures")
@requires(*ROLES)
def save_figure():
    """Add or edit an external figure."""
    try:
        refuse_form_texts()
        tg.save_external_figure(current_actor(), request.form.to_dict(), _row_id())
    except Problem as problem:
        if problem.code == "not_found":
            raise
        return _refused("figure", problem)
    flash(_("The figure is saved."))
    return redirect(url_for("plans.page") + "#figures")


# --- commands ---------------------------------------------------------------------------------------------------

_fail = fail_command  # undo, print the problem in both languages, exit 1


@click.command("import-unit-statuses")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_unit_statuses(path: str):
    """Import official village and commune statuses from the approved list's CSV; all rows or none."""
    try:
        report = st.import_statuses(Path(path).read_bytes(), source=Path(path).name)
    except Problem as problem:
        _fail(problem)
    db.session.commit()
    click.echo(f"statuses: {report.rows} rows, {report.created} created, {report.updated} updated, "
               f"{report.closed} closed")


@click.command("seed-plan-targets")
@click.option("--file", "path", default=None, type=click.Path(exists=True, dir_okay=False),
              help="A plan file (default: every file of config/plans/, e.g. the 2025 plan of Lạng Sơn).")
def seed_plan_targets(path: str | None):
    """Enter the targets of the plan files as data (safe to repeat: a changed target is updated, audited)."""
    try:
        report = tg.seed_plan(path)
    except Problem as problem:
        _fail(problem)
    db.session.commit()
    click.echo(f"targets: {report['created']} created, {report['updated']} updated, "
               f"{report['unchanged']} unchanged")


def init_app(app) -> None:
    """Register the page and the commands."""
    app.register_blueprint(bp)
    app.cli.add_command(import_unit_statuses)
    app.cli.add_command(seed_plan_targets)
