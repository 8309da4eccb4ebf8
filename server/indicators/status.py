"""Village and commune DTTS&MN status (issue 12 item 2): OFFICIAL beside INDICATIVE, and who would leave or enter.

- **Official** status: imported from the approved list (`import_statuses`, a CSV like the village import, all rows
  or none), kept per unit over a period (`OfficialStatus`). Never computed.
- **Indicative** status: the rule engine's `server.poverty.unit_status` on the unit's figures for a review year,
  under the criteria whose years cover that year (config/rules/area-status/*.json: qd-33-2020 for 2021-2025,
  nd-272-2025 for 2026-2030). The figures are the review's (`server.indicators` unit figures: households, poor,
  near-poor, DTTS...) and the external figures an officer entered for what the review cannot give (road, grid,
  NTM..., a census count of DTTS households: `server.indicators.targets.save_external_figure`, which win over the
  review's where both exist: `merge_figures`); a figure nobody gave stays unknown, and
  a status it would decide comes out `undetermined` with the missing figures named.
- **Changes**: a unit officially ĐBKK (a thôn ĐBKK, a xã khu vực III: poverty-review.md §4.1) whose indicative
  status is determined and no longer ĐBKK would LEAVE; one not officially ĐBKK that the figures make ĐBKK would
  ENTER. Each change carries the reasons the rule engine gave.

Public functions (H3's dashboards and the targets use them):

    official_statuses(year, parent_code, *, on=None, actor=None) -> list[dict]
    indicative_statuses(year, parent_code, basis="approved", *, actor=None) -> list[dict]
    status_changes(year, parent_code, basis="approved", *, actor=None, on=None) -> dict
    import_statuses(data, source, actor=None) -> ImportReport
    compare(level, official_status, indicative) -> dict            (pure)
    merge_figures(review, external) -> (figures, sources)          (pure)
    indicative_status(level, year, review, external) -> dict       (pure)

`parent_code` names a province (every commune and village of it), a commune (itself and its villages) or a
village (itself); only the units in force during the year. The official status of year Y is the one in force on
31 December of Y (`on` to choose another day). With an `actor`, a unit outside their area is refused
(`out_of_scope`). A unit none of whose forms counts on the basis has no review counts (not zeros), so its status
is undetermined rather than "leaving".

Rows: `code`, `name`, `level`, `parent_code`; `official` (None, or `status`, `label` {vi, en}, `official: true`,
`criteria`, `decision`, `decision_date`, `valid_from`, `valid_to`, `source`, `imported_by`, `imported_at`);
`indicative` (the engine's result: `status`, `label`, `indicative: true`, `provisional`, `criteria`, `reasons`
[{vi, en, met, ...}], `missing`, plus `figures` and their `sources`); in status_changes also `change` (`change`,
`label`, `official`, `indicative`, `class_differs`, `rule_set_differs`, `reasons`, `missing`). status_changes
returns {year, basis, unit, official_on, criteria, indicative: true, rows, counts: {village|commune: {leave,
enter, same, undetermined, no_official}}, leave: [rows], enter: [rows]}.

Cost: a province of 1,700 units takes about 2.5 s on this machine (review figures by commune ~1.4 s; the rule
engine re-reads and re-checks its criteria file on every unit_status call, ~1 s of it).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import g, has_request_context
from sqlalchemy import func, or_, select

from server.audit.operations import record_event
from server.core.db import utcnow
from server.core.errors import Problem
from server.core.scoping import can_access
from server.core.text import vi_sort_key
from server.extensions import db
from server.indicators.models import OfficialStatus
from server.indicators.queries import OUT_OF_SCOPE
from server.places.csvfile import check_header, parse_date, read_csv
from server.places.models import Unit
from server.poverty import FiguresInvalid, unit_status
from server.poverty.area_criteria import COUNTS, DISTANCES, FACTS, PERCENTAGES
from server.poverty.unit_status import AREA_STATUS_DIR, load_area_criteria

BASES = ("approved", "recognised", "submitted")
# What "especially disadvantaged" (đặc biệt khó khăn) is at each level: a thôn ĐBKK; a xã khu vực III
# (QĐ 33/2020/QĐ-TTg; poverty-review.md §4.1). Leaving ĐBKK status is leaving this status.
DISADVANTAGED = {"village": "dbkk", "commune": "kv3"}
# Every figure the criteria can read; other keys of the review's figures are not passed to the rule engine.
CRITERIA_FIGURES = frozenset(COUNTS + PERCENTAGES + DISTANCES + FACTS)
NAME_MAX = 200

CHANGE_LABELS = {
    "leave": {"vi": "Sẽ thoát khỏi tình trạng ĐBKK (tham khảo)", "en": "Would leave ĐBKK status (indicative)"},
    "enter": {"vi": "Sẽ trở thành ĐBKK (tham khảo)", "en": "Would become ĐBKK (indicative)"},
    "same": {"vi": "Không đổi", "en": "No change"},
    "undetermined": {"vi": "Chưa xác định được (thiếu số liệu)", "en": "Cannot be determined (figures missing)"},
    "no_official": {"vi": "Chưa có trạng thái chính thức", "en": "No official status entered"},
}


# --- criteria files -------------------------------------------------------------------------------------------

def criteria_spec(name: str) -> dict:
    """The checked criteria file `name`: server.poverty.unit_status.load_area_criteria keeps it while the file is
    unchanged (a province's 1,700 units ask for it thousands of times a page; an edit applies at once)."""
    return load_area_criteria(name)


def criteria_names() -> list[str]:
    """The criteria files of config/rules/area-status/, by name."""
    return sorted(p.stem for p in AREA_STATUS_DIR.glob("*.json"))


def criteria_for_year(year: int) -> str | None:
    """The name of the criteria file whose years cover `year` (None when none does)."""
    for name in criteria_names():
        first, last = criteria_spec(name)["years"]["value"]
        if first <= year <= last:
            return name
    return None


def statuses_of(criteria: str, level: str) -> list[str]:
    """The status codes a list under `criteria` can give a unit of `level` (its classes, and out_of_scope)."""
    return [c["status"] for c in criteria_spec(criteria)["levels"][level]["classes"]] + [OUT_OF_SCOPE]


def status_label(criteria: str, level: str, status: str) -> dict:
    """{vi, en} of a status code under `criteria` for `level` (the code itself when the file does not know it)."""
    rules = criteria_spec(criteria)["levels"][level]
    if status == OUT_OF_SCOPE:
        return rules["out_of_scope_label"]
    for cls in rules["classes"]:
        if cls["status"] == status:
            return cls["label"]
    return {"vi": status, "en": status}


# --- pure evaluation ------------------------------------------------------------------------------------------

def merge_figures(review: dict | None, external: dict | None) -> tuple[dict, dict]:
    """The figures the criteria read, and where each came from ("review" or "external").

    An external figure, entered on purpose by an officer with its source, wins over the review's: the review
    counts only the households it surveyed, so a census count of DTTS households is better than the surveyed
    ones; the counts of poor households are not enterable (server.indicators.targets.EXTERNAL_INDICATORS), so
    they always come from the review. Keys the criteria do not read are dropped; unknown (None) ones too."""
    figures, sources = {}, {}
    for origin, given in (("review", review or {}), ("external", external or {})):
        for key, value in given.items():
            if key in CRITERIA_FIGURES and value is not None:
                figures[key], sources[key] = value, origin
    return figures, sources


def indicative_status(level: str, year: int, review: dict | None, external: dict | None = None, *,
                      criteria: str | None = None) -> dict:
    """The rule engine's indicative status of one unit from its review and external figures (never raises on
    figures: inconsistent or missing ones give `undetermined` with the engine's messages as reasons).
    `criteria`: the year's criteria file when the caller already looked it up (criteria_for_year)."""
    figures, sources = merge_figures(review, external)
    criteria = criteria or criteria_for_year(year)
    if criteria is None:
        return {"criteria": None, "level": level, "status": "undetermined", "label": None, "indicative": True,
                "provisional": True, "missing": [], "figures": figures, "sources": sources,
                "reasons": [{"met": None, "vi": f"Không có bộ tiêu chí cho năm {year}",
                             "en": f"No criteria for the year {year}"}]}
    try:
        result = unit_status(figures, level=level, criteria=criteria)
    except FiguresInvalid as exc:
        missing = sorted(e["path"] for e in exc.errors if e["path"] == "households")
        result = {"criteria": criteria, "level": level, "status": "undetermined", "label": None,
                  "indicative": True, "provisional": criteria_spec(criteria)["provisional"],
                  "missing": missing,
                  "reasons": [{"met": None, "path": e["path"], "vi": f"{e['path']}: {e['message']['vi']}",
                               "en": f"{e['path']}: {e['message']['en']}"} for e in exc.errors]}
    result["figures"], result["sources"] = _plain(figures), sources
    return result


def compare(level: str, official: str | None, indicative: dict) -> dict:
    """Whether a unit would leave or enter ĐBKK status: official status code (or None) against the indicative
    result. `change` is leave, enter, same, undetermined or no_official; `reasons` are the indicative ones."""
    worst = DISADVANTAGED[level]
    status = indicative["status"]
    if official is None:
        change = "no_official"
    elif status == "undetermined":
        change = "undetermined"
    elif official == worst and status != worst:
        change = "leave"
    elif official != worst and status == worst:
        change = "enter"
    else:
        change = "same"
    return {"change": change, "label": CHANGE_LABELS[change], "official": official, "indicative": status,
            "class_differs": official is not None and status not in ("undetermined", official),
            "reasons": indicative.get("reasons", []), "missing": indicative.get("missing", [])}


def _plain(figures: dict) -> dict:
    """Figures as JSON can carry them (Decimal → float)."""
    return {k: (float(v) if not isinstance(v, (bool, int, float)) else v) for k, v in figures.items()}


# --- reading ---------------------------------------------------------------------------------------------------

def units_under(parent_code: str, actor=None, year: int | None = None) -> list[Unit]:
    """The communes and villages `parent_code` covers (see the module docstring), each commune followed by its
    villages, by name; with a `year`, only the units in force at some time of that year."""
    parent = db.session.get(Unit, parent_code)
    if parent is None:
        raise Problem("unit_unknown", unit=parent_code)
    if actor is not None and not can_access(actor, parent_code):
        raise Problem("out_of_scope", unit=parent_code)
    if parent.level == "village":
        return [parent]
    if parent.level == "commune":
        cond = or_(Unit.code == parent.code, Unit.commune_code == parent.code)
    else:
        cond = Unit.province_code == parent.code
    stmt = select(Unit).where(cond, Unit.level.in_(("commune", "village")))
    if year is not None:
        stmt = stmt.where(Unit.valid_from <= date(year, 12, 31),
                          or_(Unit.valid_to.is_(None), Unit.valid_to > date(year, 1, 1)))
    units = db.session.execute(stmt).scalars().all()
    communes = {u.code: u for u in units if u.level == "commune"}
    return sorted(units, key=lambda u: (vi_sort_key(communes[u.commune_code].name) if u.commune_code in communes
                                        else (), u.level != "commune", vi_sort_key(u.name)))


def official_on(codes: list[str], on: date) -> dict[str, OfficialStatus]:
    """The official status in force on `on` of each unit that has one."""
    rows = db.session.execute(select(OfficialStatus).where(
        OfficialStatus.unit_code.in_(codes), OfficialStatus.valid_from <= on,
        or_(OfficialStatus.valid_to.is_(None), OfficialStatus.valid_to > on))).scalars()
    return {r.unit_code: r for r in rows}


def _official_dict(row: OfficialStatus | None, level: str) -> dict | None:
    if row is None:
        return None
    return {"status": row.status, "label": status_label(row.criteria, level, row.status), "official": True,
            "criteria": row.criteria, "decision": row.decision,
            "decision_date": row.decision_date.isoformat() if row.decision_date else None,
            "valid_from": row.valid_from.isoformat(), "valid_to": row.valid_to.isoformat() if row.valid_to else None,
            "source": row.source, "imported_by": row.imported_by, "imported_at": row.imported_at.isoformat()}


def _unit_dict(u: Unit) -> dict:
    return {"code": u.code, "name": u.name, "level": u.level, "parent_code": u.parent_code}


def official_statuses(year: int, parent_code: str, *, on: date | None = None, actor=None) -> list[dict]:
    """Every unit under `parent_code` with its OFFICIAL status in force on `on` (default 31/12 of `year`)."""
    units = units_under(parent_code, actor, year)
    found = official_on([u.code for u in units], on or date(year, 12, 31))
    return [{**_unit_dict(u), "official": _official_dict(found.get(u.code), u.level)} for u in units]


def review_figures(year: int, units: list[Unit], basis: str, actor=None) -> dict[str, dict]:
    """The review's figures of each unit for the criteria (server.indicators.operations.unit_figures); a year no
    poverty rule set covers has none (every status then undetermined, the missing figures named).

    A unit none of whose forms counts on the basis has no review counts: zero poor households there would mean
    "not reviewed yet", not "no poor household", so only its resident households are kept (its status then
    comes out undetermined, naming the missing counts)."""
    from server.indicators.operations import unit_figures

    # By parent (a commune: its villages and itself, in a few queries), not by list (queries per unit): 1 s
    # rather than 20 s for a province of 1,700 units.
    figures: dict[str, dict] = {}
    try:
        for parent in [u for u in units if u.level == "commune"] or units:
            figures.update(unit_figures(year, parent.code, basis=basis, actor=actor))
    except Problem as problem:
        if problem.code == "validation_failed" and any(f["path"] == "year" for f in problem.fields):
            return {}
        raise
    counted = counted_forms(year, basis, units)
    wanted = {u.code for u in units}
    return {code: (f if counted.get(code) else {"households": f.get("households")}) for code, f in figures.items()
            if code in wanted}


def counted_forms(year: int, basis: str, units: list[Unit]) -> dict[str, int]:
    """How many household forms of `year` count on `basis` in each unit (a village: its forms; a commune: the
    forms filed under it or under one of its villages). Counts only, for units whose area was checked."""
    from server.core.scoping import unscoped
    from server.indicators.queries import BASIS_STATES
    from server.submissions.models import Submission as S

    villages = [u.code for u in units if u.level == "village"]
    communes = [u.code for u in units if u.level == "commune"]
    stmt = (select(S.commune_code, S.village_code, func.count())
            .where(S.kind == "household", S.duplicate_of_id.is_(None), S.review_year == year,
                   or_(S.village_code.in_(villages), S.commune_code.in_(communes),
                       S.village_code.in_(select(Unit.code).where(Unit.commune_code.in_(communes)))))
            .group_by(S.commune_code, S.village_code))
    if BASIS_STATES[basis] is not None:
        stmt = stmt.where(S.state.in_(BASIS_STATES[basis]))
    rows = db.session.execute(unscoped(stmt, "counts of forms per unit, area checked (units_under)")).all()
    village_commune = dict(db.session.execute(select(Unit.code, Unit.commune_code).where(
        Unit.code.in_({v for _c, v, _n in rows}))).all()) if rows else {}
    out: dict[str, int] = {}
    for commune, village, n in rows:
        out[village] = out.get(village, 0) + n
        for c in {commune, village_commune.get(village)} - {None}:
            out[c] = out.get(c, 0) + n
    return out


def external_for_status(year: int, units: list[Unit]) -> dict[str, dict]:
    """The external figures the criteria can read, per unit (server.indicators.targets)."""
    from server.indicators.targets import external_status_figures

    return external_status_figures(year, units)


def indicative_statuses(year: int, parent_code: str, basis: str = "approved", *, actor=None) -> list[dict]:
    """Every unit under `parent_code` with its INDICATIVE status from the year's figures (label: indicative)."""
    _check_basis(basis)
    units = units_under(parent_code, actor, year)
    review = review_figures(year, units, basis, actor)
    external = external_for_status(year, units)
    criteria = criteria_for_year(year)
    return [{**_unit_dict(u), "basis": basis, "year": year,
             "indicative": indicative_status(u.level, year, review.get(u.code), external.get(u.code),
                                             criteria=criteria)}
            for u in units]


def status_changes(year: int, parent_code: str, basis: str = "approved", *, actor=None,
                   on: date | None = None) -> dict:
    """Official beside indicative for every unit under `parent_code`, and the lists of those that would leave or
    enter ĐBKK status, with the reasons. `counts` has leave/enter per level (the plan targets read them).

    Within one request the result is computed once per arguments (a page shows it and evaluates the targets from
    it); every request computes it afresh, so it is right at once after any review action."""
    key = (year, parent_code, basis, getattr(actor, "id", None), on)
    memo = g.setdefault("rasoat_status_changes", {}) if has_request_context() else {}
    if key not in memo:
        memo[key] = _status_changes(year, parent_code, basis, actor, on)
    return memo[key]


def _status_changes(year: int, parent_code: str, basis: str, actor, on: date | None) -> dict:
    rows = indicative_statuses(year, parent_code, basis, actor=actor)
    day = on or date(year, 12, 31)
    found = official_on([r["code"] for r in rows], day)
    out, counts = [], {lvl: {k: 0 for k in CHANGE_LABELS} for lvl in DISADVANTAGED}
    for r in rows:
        official = found.get(r["code"])
        change = compare(r["level"], official.status if official else None, r["indicative"])
        change["rule_set_differs"] = bool(official and r["indicative"]["criteria"]
                                          and official.criteria != r["indicative"]["criteria"])
        counts[r["level"]][change["change"]] += 1
        out.append({**r, "official": _official_dict(official, r["level"]), "change": change})
    return {"year": year, "basis": basis, "unit": parent_code, "official_on": day.isoformat(),
            "criteria": criteria_for_year(year), "indicative": True, "rows": out, "counts": counts,
            "leave": [r for r in out if r["change"]["change"] == "leave"],
            "enter": [r for r in out if r["change"]["change"] == "enter"]}


def _check_basis(basis: str) -> None:
    if basis not in BASES:
        from server.core.errors import field_error

        raise Problem("validation_failed", fields=[field_error(
            "basis", f"phải là một trong {', '.join(BASES)}.", f"must be one of {', '.join(BASES)}.")])


# --- the CSV import -------------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    """What an import did: rows read, statuses created and updated, open periods closed by a newer list."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    closed: int = 0


STATUS_REQUIRED = ("unit_code", "status", "decision", "valid_from")
STATUS_OPTIONAL = ("decision_date", "valid_to", "criteria")


def _key(text: str) -> str:
    """A status as typed, without accents, case, spaces or dots ('Khu vực III' → 'khuvuciii')."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c) and c.isalnum() or c == "_").lower()


# Ways people write a status in the approved lists' spreadsheets, to the criteria files' codes.
ALIASES = {"dbkk": "dbkk", "thondbkk": "dbkk", "dacbietkhokhan": "dbkk", "thondacbietkhokhan": "dbkk",
           "not_dbkk": "not_dbkk", "khongdbkk": "not_dbkk", "khongdacbietkhokhan": "not_dbkk",
           "kv1": "kv1", "kvi": "kv1", "khuvuci": "kv1", "xakhuvuci": "kv1", "i": "kv1", "1": "kv1",
           "kv2": "kv2", "kvii": "kv2", "khuvucii": "kv2", "xakhuvucii": "kv2", "ii": "kv2", "2": "kv2",
           "kv3": "kv3", "kviii": "kv3", "khuvuciii": "kv3", "xakhuvuciii": "kv3", "iii": "kv3", "3": "kv3",
           "out_of_scope": OUT_OF_SCOPE, "khongthuocvung": OUT_OF_SCOPE, "ngoaivung": OUT_OF_SCOPE}


def import_statuses(data: bytes | str, source: str, actor=None) -> ImportReport:
    """Import official statuses from the approved list's CSV (see STATUS_REQUIRED/OPTIONAL); all rows or none.

    A row for a unit and valid_from already stored replaces it (re-import). A stored status of the unit that is
    still open (no valid_to) and began earlier is closed on the new row's valid_from: a new list supersedes the
    old. Any other overlap is refused. With an `actor`, every unit must lie in their area. Audited."""
    file = read_csv(data)
    check_header(file, STATUS_REQUIRED, lambda col: col in STATUS_OPTIONAL)
    errors = file.errors
    codes = {row.get("unit_code", "").strip() for _n, row in file.rows}
    units = {u.code: u for u in db.session.execute(select(Unit).where(Unit.code.in_(codes))).scalars()}
    stored: dict[str, list[OfficialStatus]] = {}
    for s in db.session.execute(select(OfficialStatus).where(OfficialStatus.unit_code.in_(codes))).scalars():
        stored.setdefault(s.unit_code, []).append(s)
    names = criteria_names()
    parsed: list[tuple[int, dict]] = []
    for n, row in file.rows:
        item = _parse_status_row(n, row, units, names, actor, errors)
        if item is not None:
            parsed.append((n, item))
    if not file.rows:
        errors.add(2, "unit_code", "tệp không có dòng dữ liệu.", "the file has no data rows.")
    _check_overlaps(parsed, stored, errors)
    errors.raise_if_any()
    report = ImportReport(rows=len(parsed))
    who, now = _who(actor), utcnow()
    for _n, item in parsed:
        prior = next((s for s in stored.get(item["unit_code"], []) if s.valid_from == item["valid_from"]), None)
        for s in stored.get(item["unit_code"], []):
            if s is not prior and s.valid_to is None and s.valid_from < item["valid_from"]:
                s.valid_to = item["valid_from"]
                report.closed += 1
        if prior is None:
            db.session.add(OfficialStatus(**item, source=source[:200], imported_by=who, imported_at=now))
            report.created += 1
        else:
            for key, value in item.items():
                setattr(prior, key, value)
            prior.source, prior.imported_by, prior.imported_at = source[:200], who, now
            report.updated += 1
    db.session.flush()
    record_event("import_unit_statuses", actor, actor_name=None if actor else "cli",
                 unit_code=actor.unit_code if actor else _province_code(), file=source, rows=report.rows,
                 created=report.created, updated=report.updated, closed=report.closed)
    return report


def _who(actor) -> str:
    return getattr(actor, "username", None) or "cli"


def _province_code() -> str:
    from flask import current_app

    return current_app.config["PROVINCE_CODE"]


def _parse_status_row(n, row, units, names, actor, errors) -> dict | None:
    """Check and convert one status row; add errors naming row and column; None if invalid."""
    code = row.get("unit_code", "").strip()
    unit = units.get(code)
    ok = True
    if unit is None:
        errors.add(n, "unit_code", f"không có thôn hoặc xã mã '{code}'.", f"there is no village or commune '{code}'.")
        ok = False
    elif unit.level not in DISADVANTAGED:
        errors.add(n, "unit_code", f"'{code}' là một tỉnh: trạng thái chỉ dành cho thôn và xã.",
                   f"'{code}' is a province: a status is for a village or a commune.")
        ok = False
    elif actor is not None and not can_access(actor, code):
        errors.add(n, "unit_code", f"đơn vị {code} nằm ngoài địa bàn được giao cho bạn.",
                   f"unit {code} is outside your assigned area.")
        ok = False
    dates = {}
    for col, default in (("valid_from", None), ("valid_to", None), ("decision_date", None)):
        try:
            dates[col] = parse_date(row.get(col, ""), default)
        except ValueError:
            errors.add(n, col, "ngày phải theo dạng YYYY-MM-DD.", "the date must be YYYY-MM-DD.")
            ok = False
    if "valid_from" in dates and dates["valid_from"] is None:
        errors.add(n, "valid_from", "ngày bắt đầu hiệu lực bắt buộc.", "the start date is required.")
        ok = False
    if dates.get("valid_from") and dates.get("valid_to") and dates["valid_to"] <= dates["valid_from"]:
        errors.add(n, "valid_to", f"phải sau ngày bắt đầu {dates['valid_from'].isoformat()}.",
                   f"must be after the start date {dates['valid_from'].isoformat()}.")
        ok = False
    decision = " ".join(row.get("decision", "").split())
    if not decision:
        errors.add(n, "decision", "số, ký hiệu quyết định phê duyệt bắt buộc.",
                   "the number of the approving decision is required.")
        ok = False
    elif len(decision) > NAME_MAX:
        errors.add(n, "decision", f"dài quá {NAME_MAX} ký tự.", f"longer than {NAME_MAX} characters.")
        ok = False
    criteria = row.get("criteria", "").strip()
    if criteria and criteria not in names:
        errors.add(n, "criteria", f"phải là một trong {', '.join(names)}.", f"must be one of {', '.join(names)}.")
        return None
    if not criteria and dates.get("valid_from"):
        criteria = criteria_for_year(dates["valid_from"].year)
        if criteria is None:
            errors.add(n, "valid_from", f"không có bộ tiêu chí cho năm {dates['valid_from'].year}; ghi cột criteria.",
                       f"no criteria cover the year {dates['valid_from'].year}; give the criteria column.")
            ok = False
    raw = row.get("status", "")
    status = ALIASES.get(_key(raw), _key(raw))
    if not raw.strip():
        errors.add(n, "status", "trạng thái bắt buộc.", "the status is required.")
        return None
    if unit is not None and unit.level in DISADVANTAGED and criteria:
        allowed = statuses_of(criteria, unit.level)
        if status not in allowed:
            level_vi = "thôn" if unit.level == "village" else "xã"
            errors.add(n, "status", f"'{raw}' không phải trạng thái của {level_vi} theo {criteria} "
                       f"(một trong {', '.join(allowed)}).",
                       f"'{raw}' is not a {unit.level} status under {criteria} (one of {', '.join(allowed)}).")
            ok = False
    if not ok:
        return None
    return {"unit_code": code, "status": status, "criteria": criteria, "decision": decision,
            "decision_date": dates["decision_date"], "valid_from": dates["valid_from"], "valid_to": dates["valid_to"]}


def _check_overlaps(parsed, stored, errors) -> None:
    """Refuse two periods of one unit that overlap, in the file or against a stored one the file does not replace
    (an earlier open period is not an overlap: the import closes it)."""
    by_unit: dict[str, list[tuple[int, dict]]] = {}
    for n, item in parsed:
        by_unit.setdefault(item["unit_code"], []).append((n, item))
    for code, items in by_unit.items():
        starts = {item["valid_from"] for _n, item in items}
        kept = [(None, {"valid_from": s.valid_from, "valid_to": s.valid_to, "decision": s.decision})
                for s in stored.get(code, []) if s.valid_from not in starts]
        for i, (n, item) in enumerate(items):
            for m, other in items[:i] + kept:
                if m is None and other["valid_to"] is None and other["valid_from"] < item["valid_from"]:
                    continue
                if m is not None and other["valid_from"] == item["valid_from"]:
                    errors.add(n, "valid_from", f"đơn vị {code} lặp lại dòng {m} với cùng ngày bắt đầu.",
                               f"unit {code} repeats row {m} with the same start date.")
                    break
                if _overlap(item, other):
                    where_vi = f"dòng {m}" if m is not None else f"trạng thái đã lưu (quyết định {other['decision']})"
                    where_en = f"row {m}" if m is not None else f"the stored status (decision {other['decision']})"
                    errors.add(n, "valid_from", f"thời gian hiệu lực trùng với {where_vi}.",
                               f"the period overlaps {where_en}.")
                    break


def _overlap(a: dict, b: dict) -> bool:
    """Whether two periods [valid_from, valid_to) share a day (None: open-ended)."""
    far = date.max
    return a["valid_from"] < (b["valid_to"] or far) and b["valid_from"] < (a["valid_to"] or far)
