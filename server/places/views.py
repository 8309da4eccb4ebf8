"""Places pages: communes of the province, a unit with its villages, the import of villages and mappings."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from server.core.auth import current_actor, requires
from server.core.errors import Problem
from server.core.forms import ConfirmForm
from server.core.requests import undo_request_work
from server.core.roles import ROLES, WEB_ROLES
from server.core.scoping import can_access, units_below
from server.core.text import vi_sort_key
from server.extensions import db
from server.places import operations as ops
from server.places.models import Unit, UnitHouseholdCount

bp = Blueprint("places", __name__, template_folder="templates")
api = Blueprint("places_api", __name__, url_prefix="/api/v1")


def _latest_counts(codes) -> dict[str, UnitHouseholdCount]:
    """The latest household count of each unit."""
    rows = db.session.execute(select(UnitHouseholdCount).where(UnitHouseholdCount.unit_code.in_(list(codes)))
                              .order_by(UnitHouseholdCount.year)).scalars()
    return {r.unit_code: r for r in rows}


@bp.get("/places")
@requires("officer", "admin")
def communes():
    """The communes in the user's area, with their number of villages."""
    user = current_actor()
    villages = (select(Unit.parent_code, func.count().label("n")).where(Unit.level == "village")
                .group_by(Unit.parent_code).subquery())
    rows = db.session.execute(
        select(Unit, func.coalesce(villages.c.n, 0)).outerjoin(villages, villages.c.parent_code == Unit.code)
        .where(Unit.level == "commune", units_below(user))).all()
    rows.sort(key=lambda row: vi_sort_key(row[0].name))
    return render_template("places/communes.html", rows=rows)


@bp.get("/places/<code>")
@requires(*WEB_ROLES, area="code")
def unit(code: str):
    """One unit (commune or village) in the user's area, with the villages under it."""
    place = db.session.get(Unit, code)
    if place is None:
        raise Problem("unit_unknown", unit=code)
    children = sorted(db.session.execute(select(Unit).where(Unit.parent_code == code)).scalars(),
                      key=lambda u: vi_sort_key(u.name))
    counts = _latest_counts([code] + [c.code for c in children])
    parent_reachable = place.parent_code is not None and can_access(current_actor(), place.parent_code)
    return render_template("places/unit.html", place=place, children=children, counts=counts,
                           parent_reachable=parent_reachable)


@bp.get("/my-area")
@requires(*WEB_ROLES)
def my_area():
    """The user's own unit."""
    return unit(current_actor().unit_code)


@bp.route("/admin/places/import", methods=["GET", "POST"])
@requires("admin")
def import_page():
    """Upload a village CSV or an old→new commune mapping CSV; nothing is written if any row is bad."""
    form = ConfirmForm()
    errors: list[dict] = []
    if form.validate_on_submit():
        kind = request.form.get("kind")
        upload = request.files.get("file")
        if kind not in ops.IMPORTERS or upload is None or not upload.filename:
            flash(_("Choose what to import and a CSV file."), "error")
        else:
            data = upload.read()
            try:
                report = ops.import_file(kind, data, source=upload.filename, actor=current_actor())
            except Problem as problem:
                undo_request_work()
                body = problem.to_dict()
                errors = body.get("fields") or [{"path": "file", "message": body["message"]}]
            else:
                flash(_("Imported %(rows)d rows: %(created)d new, %(updated)d updated.", rows=report.rows,
                        created=report.created, updated=report.updated))
                return redirect(url_for("places.import_page"))
    return render_template("places/import.html", form=form, errors=errors), (422 if errors else 200)


@api.get("/places")
@requires(*ROLES)
def api_places():
    """The communes and villages in the caller's area, for the phone's form (codes, names, rural/urban)."""
    units = db.session.execute(select(Unit).where(units_below(current_actor()), Unit.level != "province")
                               .order_by(Unit.code)).scalars()
    return jsonify({"units": [{"code": u.code, "level": u.level, "kind": u.kind, "name": u.name,
                               "parent_code": u.parent_code, "area": u.area} for u in units]})
