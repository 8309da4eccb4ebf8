"""The exports page (issue 13 item 7) for supervisors, officers and administrators.

    GET  /exports/                      pick the table (a report table or a household list), unit, year, basis
    POST /exports/                      a report table downloads at once (one row per commune: small); a household
                                        list asks for its purpose, is audited and runs in the background
    GET  /exports/jobs/<id>             the job's progress (the page polls its JSON), then its download link
    GET  /exports/jobs/<id>.json        {state, done, total, percent, file_name, size, error, download}
    GET  /exports/jobs/<id>/download    the finished file, for the user who asked only (audited)

Checks and refusals are the operations' (server.exports.operations): a bad field is shown on the page, in the
user's language, with the form as typed, and nothing is written.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from server.audit.operations import record_event
from server.core.auth import current_actor, requires
from server.core.db import writes_on_get
from server.core.errors import Problem
from server.core.forms import ConfirmForm
from server.core.requests import refuse_form_texts, undo_request_work
from server.exports import households, jobs, operations, tables
from server.exports.models import ExportJob
from server.extensions import db
from server.indicators.queries import in_force
from server.places.models import Unit
from server.surveys.definitions import current_review_year

bp = Blueprint("exports", __name__, url_prefix="/exports", template_folder="templates")
ROLES = ("supervisor", "officer", "admin")


def _units(actor, year: int) -> list[Unit]:
    """The units a user may export: their own, then its children in force during the year."""
    own = actor.unit
    children = db.session.execute(select(Unit).where(Unit.parent_code == own.code, in_force(year))
                                  .order_by(Unit.code)).scalars().all()
    return [own, *children]


def _page(errors: list | None = None, values: dict | None = None, status: int = 200):
    actor = current_actor()
    values = values or {}
    year = current_review_year(current_app.config["REVIEW_YEAR"])
    raw = str(values.get("year") or "")
    shown_year = int(raw) if raw.isascii() and raw.isdigit() and 2001 <= int(raw[:5]) <= 2100 else year
    mine = db.session.execute(select(ExportJob).where(ExportJob.user_id == actor.id)
                              .order_by(ExportJob.created_at.desc()).limit(20)).scalars().all()
    return render_template(
        "exports/index.html", form=ConfirmForm(), errors=errors or [], values=values, year=shown_year,
        units=_units(actor, shown_year), tables=tables.TABLES, titles=tables.TITLES, lists=households.LISTS,
        list_labels=households.LIST_LABELS, bases=tables.BASIS_LABELS, jobs=mine), status


@bp.get("/")
@requires(*ROLES)
def index():
    """The exports page."""
    return _page(values=request.args.to_dict())


@bp.post("/")
@requires(*ROLES)
def export():
    """A report table at once, or a household list queued in the background."""
    if not ConfirmForm().validate_on_submit():
        raise Problem("csrf_failed")
    actor, form = current_actor(), request.form
    table, year, unit, basis = form.get("table", ""), form.get("year", ""), form.get("unit"), form.get("basis", "")
    try:
        refuse_form_texts()
        if table == "households":
            job = jobs.start(actor, form.get("class", ""), year, unit, basis, form.get("format", ""),
                             form.get("purpose"))
            response = redirect(url_for("exports.job", job_id=job.id))
            app = current_app._get_current_object()
            response.call_on_close(lambda: jobs.wake(app))
            return response
        made = operations.report(table, year, unit, basis, actor, form.get("format") or "xlsx")
    except Problem as problem:
        undo_request_work()
        body = problem.to_dict()
        return _page(body.get("fields") or [{"path": "", "message": body["message"]}], form.to_dict(),
                     problem.status)
    buffer = io.BytesIO()
    operations.write(made, buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=made.content_type, as_attachment=True, download_name=made.file_name)


def _own_job(job_id: str) -> ExportJob:
    """The user's own job, else 404 (another user's job is not revealed)."""
    # Fresh from the database: a worker changes the row while the page polls it.
    job = db.session.get(ExportJob, job_id, populate_existing=True)
    if job is None or job.user_id != current_actor().id:
        abort(404)
    return job


def job_json(job: ExportJob) -> dict:
    percent = None
    if job.state == "done":
        percent = 100
    elif job.total:
        percent = min(99, int(job.done * 100 / job.total))
    return {"id": job.id, "state": job.state, "done": job.done, "total": job.total, "percent": percent,
            "file_name": job.file_name, "size": job.size, "error": job.error,
            "download": url_for("exports.download", job_id=job.id) if job.state == "done" else None}


@bp.get("/jobs/<job_id>")
@requires(*ROLES)
def job(job_id: str):
    """The progress of a background export, and its download when ready."""
    found = _own_job(job_id)
    unit = db.session.get(Unit, found.params.get("unit") or "")
    return render_template("exports/job.html", job=found, status=job_json(found), unit=unit,
                           list_labels=households.LIST_LABELS, bases=tables.BASIS_LABELS)


@bp.get("/jobs/<job_id>.json")
@requires(*ROLES)
def job_status(job_id: str):
    """The job's state for the progress display."""
    return jsonify(job_json(_own_job(job_id)))


@bp.get("/jobs/<job_id>/download")
@requires(*ROLES)
@writes_on_get  # each download of a personal-data file is audited
def download(job_id: str):
    """The finished file (the user who asked for it only)."""
    found = _own_job(job_id)
    path = jobs.path_of(found)
    if found.state != "done" or not path.is_file():
        abort(404)
    record_event("households.downloaded", current_actor(), target_type="export_job", target_id=found.id,
                 unit_code=found.unit_code, file_name=found.file_name, purpose=found.params.get("purpose"))
    return send_file(path, mimetype=operations.FORMATS[found.params["format"]], as_attachment=True,
                     download_name=found.file_name, max_age=0)

