"""The indicator table of a unit and its children, and the figures the unit status reads.

    indicator_table(year, unit_code=None, basis="approved", actor=None) -> dict
        The machine contract of issue 12 (CLI `flask --app server indicators`, `GET /api/v1/indicators`):
        {"year", "basis", "rule_set", "unit": {"code", "name", "level"}, "rows": [...]}, one row per child unit
        (in force during the year, by code), then one for the unit itself. Every row has the contract's keys
        (`code`, `name`, `level`, `households`, `persons`, `surveyed`, `poor`, `near_poor`, `middle`,
        `poor_persons`, `near_poor_persons`, `poor_rate`, `near_poor_rate`, `multidimensional_rate`,
        `poor_persons_rate`, `deficits_poor`, `mean_deficits_poor`, `flows_poor`) and more: every count and
        rate of server.indicators.figures.unit_figures, `coverage`, `flows_poor_persons`, `flows_near_poor`,
        `flows_near_poor_persons`, `flows_unlinked`, `cuts`, `dtts_mn_poverty_rate` (both readings, labelled),
        `status` (the unit's official DTTS&MN / ĐBKK flags), `change` (year-on-year, percentage points).
        `unit_code` None = the installation's province. `actor` None = a command (all areas); otherwise the
        unit must lie in the actor's area (403 `out_of_scope`), and an unknown unit is 404 `not_found`.

    unit_figures(year, unit_codes_or_parent, basis="approved", actor=None) -> dict[str, dict]
        For server.poverty.unit_status: unit code → {"households", "poor_households", "near_poor_households",
        "dtts_households", "poor_dtts_households", "dtts_people"} (households = resident count, None when not
        known; the others count the forms of the basis, DTTS = a head of an ethnic minority). A string names a
        parent: its children and itself; a list names the units themselves (villages and communes may be mixed).

Rates are percentages over the resident households and persons of the places data (§5.1), None with a reason
in `rate_missing` when that count is missing. A commune's or the province's count is the sum over its villages
in force that year when every one of them has a count, else its own stored count, else missing.

`surveyed` is every current household form not set aside (whatever the basis); `counted` the forms of the basis.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from server.core.errors import Problem, field_error
from server.core.scoping import can_access
from server.extensions import db
from server.indicators import cache, queries
from server.indicators.figures import Denominator, change_pp, cuts, dtts_mn_readings, status_figures
from server.indicators.figures import unit_figures as figures_of
from server.indicators.flows import flows
from server.places.models import Unit
from server.poverty import rule_set_for_year
from server.poverty.rules import RuleSetError

CHANGE_KEYS = ("poor_rate", "near_poor_rate", "multidimensional_rate", "poor_persons_rate",
               "near_poor_persons_rate", "middle_rate")
CHILD = {"province": "commune", "commune": "village", "village": "village"}
FLAG_CUTS = ("dtts_mn_area", "especially_difficult")  # the cuts on the village's flags (queries.flag_cells)


def _bad(field: str, vi: str, en: str) -> Problem:
    return Problem("validation_failed", fields=[field_error(field, vi, en)])


def check_basis(basis) -> str:
    if basis not in queries.BASES:
        raise _bad("basis", "Cơ sở tính phải là approved, recognised hoặc submitted.",
                   "basis must be approved, recognised or submitted.")
    return basis


def check_year(year) -> tuple[int, object]:
    """The year as an int and its rule set, or 422 on `year`."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise _bad("year", "Năm rà soát phải là một số nguyên, ví dụ 2026.",
                   "year must be a whole number, e.g. 2026.") from None
    try:
        return year, rule_set_for_year(year)
    except RuleSetError:
        raise _bad("year", f"Không có bộ quy tắc cho năm rà soát {year}.",
                   f"There is no rule set for review year {year}.") from None


def find_unit(unit_code: str | None, actor=None) -> Unit:
    """The unit (default: the province), 404 if unknown, 403 if outside the actor's area."""
    code = unit_code or (actor.unit_code if actor is not None and actor.unit.level != "province" else None) \
        or current_app.config["PROVINCE_CODE"]
    unit = db.session.get(Unit, code)
    if unit is None:
        raise Problem("not_found")
    if actor is not None and not can_access(actor, unit.code):
        raise Problem("out_of_scope", unit=unit.code)
    return unit


def _indicator_numbers(rule_set) -> list[int]:
    """The rule set's deficit indicator numbers (1-12)."""
    return sorted(i.number for i in rule_set.indicators)


def _denominators(year: int, unit: Unit, rows: list[Unit]) -> dict[str, Denominator]:
    """Resident households and persons of each row unit (and villages' DTTS&MN sums), see the module doc."""
    villages = queries.villages_with_counts(year, unit.level, unit.code)
    own = queries.own_counts(year, [u.code for u in rows])
    # Each village once per row that holds it (a village, its commune, the unit asked for), not every village
    # tested against every row (65 communes × 1,650 villages cost 0.3 s a table).
    by_code: dict[str, list] = {}
    by_commune: dict[str, list] = {}
    for v in villages:
        by_code.setdefault(v["code"], []).append(v)
        by_commune.setdefault(v["commune_code"], []).append(v)
    out = {}
    for u in rows:
        level = u.level
        mine = (by_code.get(u.code, []) if level == "village" else by_commune.get(u.code, []) if level == "commune"
                else [v for v in villages if _holds(u, v)])
        out[u.code] = _sum_counts(u, mine, own.get(u.code), year)
        out[u.code + "#dtts_mn"] = _sum_counts(u, [v for v in mine if v["dtts_mn_area"]], None, year,
                                               allow_empty=True)
    return out


def _sum_counts(u: Unit, villages: list[dict], own, year: int, allow_empty: bool = False) -> Denominator:
    missing = [v["code"] for v in villages if v["households"] is None]
    if villages and not missing:
        persons = [v["persons"] for v in villages]
        no_persons = [v["code"] for v in villages if v["persons"] is None]
        return Denominator(sum(v["households"] for v in villages),
                           None if no_persons else sum(persons),
                           persons_reason=None if not no_persons else {
                               "vi": f"Thiếu số nhân khẩu cư trú năm {year} của: {', '.join(no_persons[:10])}.",
                               "en": f"No resident persons count for {year} of: {', '.join(no_persons[:10])}."})
    if own is not None:
        return Denominator(own[0], own[1], persons_reason=None if own[1] is not None else {
            "vi": f"Thiếu số nhân khẩu cư trú năm {year} của {u.code}.",
            "en": f"No resident persons count for {year} of {u.code}."})
    if not villages and allow_empty:
        return Denominator(0, 0)
    if not villages:
        reason = {"vi": f"Chưa có thôn nào của {u.code} và số hộ cư trú năm {year}.",
                  "en": f"{u.code} has no villages and no resident households count for {year}."}
    else:
        reason = {"vi": f"Thiếu số hộ cư trú năm {year} của {len(missing)} thôn: {', '.join(missing[:10])}.",
                  "en": f"No resident households count for {year} of {len(missing)} villages: "
                        f"{', '.join(missing[:10])}."}
    return Denominator(None, None, reason=reason)


def _group(items, key="unit") -> dict[str, list]:
    out: dict[str, list] = {}
    for item in items:
        out.setdefault(item[key], []).append(item)
    return out


def _flow_block(links: list[dict]) -> dict:
    poor, near = flows(links, "poor"), flows(links, "near_poor")
    return {"flows_poor": poor["households"], "flows_poor_persons": poor["persons"],
            "flows_near_poor": near["households"], "flows_near_poor_persons": near["persons"],
            "flows_unlinked": {"poor": poor["unlinked"], "near_poor": near["unlinked"]}}


def _cells(unit: Unit, years, flags: bool = True) -> dict[int, dict[str, list]]:
    """year → child unit code → the cells of every current form not set aside (all review states); without the
    village flags when `flags` is False (queries.cells)."""
    return _by_year(queries.cells(years, unit.level, [unit.code], CHILD[unit.level], flags=flags), years)


def _by_year(cells, years) -> dict[int, dict[str, list]]:
    out: dict[int, dict[str, list]] = {y: {} for y in years}
    for cell in cells:
        out[cell["year"]].setdefault(cell["unit"], []).append(cell)
    return out


def _of_basis(cells: list[dict], basis: str) -> list[dict]:
    buckets = queries.BUCKETS[basis]
    return [c for c in cells if c["bucket"] in buckets]


def _row_cells(u: Unit, unit: Unit, by_unit: dict[str, list]) -> list[dict]:
    """The cells of a row: a child's own, or all of them for the unit itself."""
    if u.code == unit.code and unit.level != "village":
        return [c for cs in by_unit.values() for c in cs]
    return by_unit.get(u.code, [])


def _figures_of_year(year: int, basis: str, unit: Unit, rows: list[Unit], by_unit: dict[str, list],
                     indicators, deficits: dict[str, list] | None = None,
                     flags: dict[str, list] | None = None) -> dict[str, dict]:
    """code → figures (no flows) of each row unit in `year`, from that year's cells (and deficit cells; and,
    when the cells carry no village flags, the flag cells for the flag cuts and the DTTS&MN reading by area)."""
    denominators = _denominators(year, unit, rows)
    out = {}
    for u in rows:
        mine = _of_basis(_row_cells(u, unit, by_unit), basis)
        mine_deficits = None if deficits is None else _of_basis(_row_cells(u, unit, deficits), basis)
        figures = figures_of(mine, denominators[u.code], indicators, mine_deficits)
        area = denominators[u.code + "#dtts_mn"]
        figures["dtts_mn_poverty_rate"] = dtts_mn_readings(mine, area.households, area.reason)
        if flags is not None:
            mine_flags = _of_basis(_row_cells(u, unit, flags), basis)
            by_flag = cuts(mine_flags)
            for name in FLAG_CUTS:
                figures["cuts"][name] = by_flag[name]
            figures["dtts_mn_poverty_rate"]["by_area"] = dtts_mn_readings(
                mine_flags, area.households, area.reason)["by_area"]
        out[u.code] = figures
    return out


def _coverage(cells: list[dict]) -> dict:
    """Forms surveyed (any state), approved or further, recognised."""
    out = {"surveyed": 0, "approved": 0, "recognised": 0}
    for c in cells:
        out["surveyed"] += c["households"]
        if c["bucket"] in ("approved", "recognised"):
            out["approved"] += c["households"]
        if c["bucket"] == "recognised":
            out["recognised"] += c["households"]
    return out


def indicator_table(year, unit_code: str | None = None, basis: str = "approved", actor=None) -> dict:
    """The table of a unit's children and the unit itself (see the module docstring)."""
    basis = check_basis(basis)
    year, rule_set = check_year(year)
    unit = find_unit(unit_code, actor)
    try:
        previous_rule_set = rule_set_for_year(year - 1)
    except RuleSetError:
        previous_rule_set = None
    key = ("indicator_table", unit.code, year, basis, rule_set.name, getattr(previous_rule_set, "name", None))
    return cache.kept(key, lambda: _table(year, unit, basis, rule_set, previous_rule_set),
                      communes=None if unit.level == "province" else queries.commune_codes(unit))


def _table(year: int, unit: Unit, basis: str, rule_set, previous_rule_set) -> dict:
    """indicator_table() computed from the database."""
    rows = ([] if unit.level == "village" else queries.children(unit, year)) + [unit]
    indicators = _indicator_numbers(rule_set)
    years = [year] if previous_rule_set is None else [year, year - 1]
    # On SQLite a province's cells come without the village flags, grouped in index order, and the flags in a
    # second grouping by village: SQLite sorts the forms for a GROUP BY that does not follow an index (1.8 s
    # against 0.4 s for the two at 200,000 households); PostgreSQL hashes them, and one GROUP BY is cheaper.
    split = unit.level == "province" and db.session.get_bind().dialect.name == "sqlite"
    cells = _cells(unit, years, flags=not split)
    flags = _by_year(queries.flag_cells(years, unit.level, [unit.code]), years) if split else None
    deficits = _group(queries.deficit_cells(year, unit.level, [unit.code], CHILD[unit.level], indicators))
    current = _figures_of_year(year, basis, unit, rows, cells[year], indicators, deficits,
                               flags[year] if split else None)
    previous = (_figures_of_year(year - 1, basis, unit, rows, cells[year - 1], (), {},
                                 flags[year - 1] if split else None)
                if previous_rule_set is not None else {})
    links = _group(queries.flow_links(year, basis, unit.level, [unit.code], CHILD[unit.level]))
    flags = queries.unit_flags(year, rows)
    out_rows = []
    for u in rows:
        whole = u.code == unit.code and unit.level != "village"
        figures = current[u.code]
        cov = _coverage(_row_cells(u, unit, cells[year]))
        mine_links = [link for ls in links.values() for link in ls] if whole else links.get(u.code, [])
        hh = figures["households"]
        coverage_block = {**cov, "households": hh,
                          "surveyed_pct": _pct(cov["surveyed"], hh), "approved_pct": _pct(cov["approved"], hh),
                          "recognised_pct": _pct(cov["recognised"], hh)}
        before = previous.get(u.code)
        change = {"previous_year": year - 1,
                  "previous_rule_set": previous_rule_set.name if previous_rule_set is not None else None,
                  "series_break": previous_rule_set is None or previous_rule_set.name != rule_set.name}
        for key in CHANGE_KEYS:
            change[key + "_pp"] = change_pp(figures[key], before[key] if before else None)
        row = {"code": u.code, "name": u.name, "level": u.level, **figures, "surveyed": cov["surveyed"],
               "coverage": coverage_block, **_flow_block(mine_links), "change": change,
               "status": {**flags[u.code], "is_urban": u.is_urban}}
        out_rows.append(row)
    return {"year": year, "basis": basis, "rule_set": rule_set.name,
            "unit": {"code": unit.code, "name": unit.name, "level": unit.level}, "rows": out_rows}


def _pct(count, total):
    return None if total is None or not total else count * 100 / total


def unit_figures(year, unit_codes_or_parent, basis: str = "approved", actor=None) -> dict[str, dict]:
    """unit code → the counts server.poverty.unit_status reads (see the module docstring)."""
    basis = check_basis(basis)
    year, _rule_set = check_year(year)
    if isinstance(unit_codes_or_parent, str):
        parent = find_unit(unit_codes_or_parent, actor)
        rows = ([] if parent.level == "village" else queries.children(parent, year)) + [parent]
        by_unit = _cells(parent, [year], flags=parent.level != "province")[year]
        denominators = _denominators(year, parent, rows)
        return {u.code: status_figures(_of_basis(_row_cells(u, parent, by_unit), basis), denominators[u.code])
                for u in rows}
    codes = list(unit_codes_or_parent)
    units = list(db.session.execute(select(Unit).where(Unit.code.in_(codes))).scalars())
    if set(codes) - {u.code for u in units}:
        raise Problem("not_found")
    for u in units:
        if actor is not None and not can_access(actor, u.code):
            raise Problem("out_of_scope", unit=u.code)
    # Resident counts in one go: every village of the units' provinces, and the units' own stored counts.
    villages = [v for province in sorted({u.province_code for u in units})
                for v in queries.villages_with_counts(year, "province", province)]
    own = queries.own_counts(year, codes)
    by_code = {v["code"]: [v] for v in villages}
    by_commune: dict[str, list] = {}
    for v in villages:
        by_commune.setdefault(v["commune_code"], []).append(v)
    out = {}
    for level in ("village", "commune", "province"):
        mine = [u for u in units if u.level == level]
        if not mine:
            continue
        group_level = "commune" if level == "province" else level
        by_unit: dict[str, list] = {}
        for cell in queries.cells([year], level, [u.code for u in mine], group_level, flags=level != "province"):
            by_unit.setdefault(cell["unit"], []).append(cell)
        for u in mine:
            unit_cells = [c for cs in by_unit.values() for c in cs] if level == "province" else by_unit.get(u.code, [])
            counts = _sum_counts(u, by_code.get(u.code, []) if level == "village" else by_commune.get(u.code, [])
                                 if level == "commune" else [v for v in villages if v["province_code"] == u.code],
                                 own.get(u.code), year)
            out[u.code] = status_figures(_of_basis(unit_cells, basis), counts)
    return {code: out[code] for code in codes}


def _holds(u: Unit, village: dict) -> bool:
    """Whether a village row (of villages_with_counts) lies in the unit."""
    if u.level == "village":
        return village["code"] == u.code
    return village["commune_code"] == u.code if u.level == "commune" else True
