"""Loading and importing places: the province's communes from `vietnam-provinces`, villages and the old→new
commune mapping from CSV. An import is all or nothing: any bad row refuses the whole file, naming the row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version

from flask import current_app
from sqlalchemy import select

from server.audit.operations import record_event
from server.core.errors import Problem, field_error
from server.extensions import db
from server.places.csvfile import (RowErrors, check_header, commune_code, parse_bool, parse_count, parse_date,
                                   read_csv)
from server.places.models import CommuneMapping, Unit, UnitHouseholdCount

# Nghị quyết 202/2025/QH15: the two-level local government (province, commune) is in force from 01/07/2025.
TWO_LEVEL_SINCE = date(2025, 7, 1)
VILLAGE_KINDS = ("thon", "ban", "khoi", "to_dan_pho", "khu", "lang", "xom")
VILLAGE_CODE = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
COUNT_COLUMN = re.compile(r"^(households|persons)_(\d{4})$")
NAME_MAX = 200
# Attributes of a unit that the province loader and every import set; the others only when their column is given.
STRUCTURE = ("level", "name", "parent_code", "province_code", "commune_code", "is_urban", "source")


@dataclass
class ImportReport:
    """What an import did: rows read, units created and updated."""

    rows: int = 0
    created: int = 0
    updated: int = 0


def load_province(province_code: str) -> ImportReport:
    """Load (or refresh) a province and its communes from the `vietnam-provinces` package."""
    from vietnam_provinces import Province, ProvinceCode, Ward

    try:
        pcode = ProvinceCode(int(province_code))
        province = Province.from_code(pcode)
    except (ValueError, KeyError):
        raise Problem("unit_unknown", unit=province_code, fields=[field_error(
            "province", f"Không có tỉnh mã '{province_code}' (mã tỉnh có 2 chữ số, ví dụ 20).",
            f"There is no province '{province_code}' (a province code has 2 digits, e.g. 20).")]) from None
    wards = list(Ward.iter_by_province(pcode))
    source = f"vietnam-provinces {version('vietnam-provinces')}"
    if not wards:
        raise RuntimeError(f"{source} holds no communes for province {province_code}: is it the 2025 list?")
    report = ImportReport(rows=len(wards) + 1)
    code = f"{int(province_code):02d}"
    areas = _areas_by_division_type()
    _upsert(report, Unit(code=code, level="province", kind=_ascii_kind(province.division_type.value),
                         name=province.name, parent_code=None,
                         province_code=code, commune_code=None, is_urban=None,
                         valid_from=TWO_LEVEL_SINCE, source=source))
    db.session.flush()
    for ward in sorted(wards, key=lambda w: int(w.code)):
        kind = _ascii_kind(ward.division_type.value)
        ccode = f"{int(ward.code):05d}"
        _upsert(report, Unit(code=ccode, level="commune", kind=kind, name=ward.name, parent_code=code,
                             province_code=code, commune_code=ccode,
                             is_urban=_is_urban(ward.division_type.value, areas),
                             valid_from=TWO_LEVEL_SINCE, source=source))
    db.session.flush()
    return report


def _areas_by_division_type() -> dict[str, str]:
    """Which division types are rural or urban ({"xã": "rural", "phường": "urban"}): a [P] rule, so it is read from
    the poverty rule set in force this year (the newest one otherwise), where an administrator can correct it."""
    from server.poverty import RuleSetError, load_rule_set, rule_set_for_year, rule_set_names

    try:
        rule_set = rule_set_for_year(date.today().year)
    except RuleSetError:
        rule_set = load_rule_set(rule_set_names()[-1])
    return rule_set.area_by_division_type


def _is_urban(division_type: str, areas: dict[str, str]) -> bool | None:
    """True for an urban unit, False for a rural one, None when the rule set does not say (e.g. đặc khu)."""
    area = areas.get(division_type) or areas.get(division_type.lower())
    return None if area is None else area == "urban"


def _ascii_kind(division_type: str) -> str:
    """'phường' → 'phuong', 'xã' → 'xa', 'đặc khu' → 'dac_khu', 'tỉnh' → 'tinh'."""
    table = {"phường": "phuong", "xã": "xa", "đặc khu": "dac_khu", "tỉnh": "tinh",
             "thành phố trung ương": "thanh_pho"}
    return table.get(division_type.lower(), division_type.lower().replace(" ", "_"))


def _upsert(report: ImportReport, unit: Unit, attrs: tuple[str, ...] = STRUCTURE + ("kind", "valid_from",
                                                                                   "valid_to")) -> None:
    """Insert the unit, or copy `attrs` onto the stored one with the same code."""
    existing = db.session.get(Unit, unit.code)
    if existing is None:
        db.session.add(unit)
        report.created += 1
        return
    for attr in attrs:
        setattr(existing, attr, getattr(unit, attr))
    report.updated += 1


def _communes_in_area(actor) -> set[str] | None:
    """The commune codes an acting user may import into (None: the command line, every commune)."""
    if actor is None:
        return None
    from server.core.scoping import units_below

    return set(db.session.execute(select(Unit.code).where(Unit.level == "commune", units_below(actor))).scalars())


def _outside_area(errors: RowErrors, n: int, column: str, code: str) -> None:
    """Record that a row's commune lies outside the acting user's area."""
    errors.add(n, column, f"xã/phường {code} nằm ngoài địa bàn được giao cho bạn.",
               f"commune {code} is outside your assigned area.")


VILLAGE_REQUIRED = ("commune_code", "village_code", "name")
VILLAGE_OPTIONAL = ("kind", "in_dtts_mn_area", "is_especially_difficult", "valid_from", "valid_to")


def import_villages(data: bytes | str, source: str, actor=None) -> ImportReport:
    """Import villages with their household counts by year and DTTS&MN flags; all rows or none.

    An existing village keeps the kind, flags and dates the file has no column for. With an `actor`, every
    commune must lie in their area."""
    file = read_csv(data)
    check_header(file, VILLAGE_REQUIRED, lambda col: col in VILLAGE_OPTIONAL or COUNT_COLUMN.match(col))
    given = tuple(col for col in VILLAGE_OPTIONAL if col in file.header)
    communes = {u.code: u for u in db.session.execute(select(Unit).where(Unit.level == "commune")).scalars()}
    area = _communes_in_area(actor)
    others = set(db.session.execute(select(Unit.code).where(Unit.level != "village")).scalars())
    existing = {u.code: u for u in db.session.execute(select(Unit).where(Unit.level == "village")).scalars()}
    errors, seen, parsed = file.errors, {}, []
    for n, row in file.rows:
        item = _parse_village_row(n, row, communes, area, others, existing, seen, errors, source)
        if item is not None:
            parsed.append(item)
    if not file.rows:
        errors.add(2, "village_code", "tệp không có dòng dữ liệu.", "the file has no data rows.")
    errors.raise_if_any()
    # A stored persons count is replaced only by a file that has that year's persons column.
    persons_years = {int(m.group(2)) for m in map(COUNT_COLUMN.match, file.header) if m and m.group(1) == "persons"}
    report = ImportReport(rows=len(parsed))
    for unit, _counts in parsed:
        _upsert(report, unit, STRUCTURE + given)
    db.session.flush()
    codes = [unit.code for unit, _counts in parsed]
    stored = {(c.unit_code, c.year): c for c in db.session.execute(
        select(UnitHouseholdCount).where(UnitHouseholdCount.unit_code.in_(codes))).scalars()}
    for unit, counts in parsed:
        for year, (households, persons) in counts.items():
            row = stored.get((unit.code, year))
            if row is None:
                db.session.add(UnitHouseholdCount(unit_code=unit.code, year=year, households=households,
                                                  persons=persons))
            else:
                row.households = households
                if year in persons_years:
                    row.persons = persons
    db.session.flush()
    return report


def _parse_village_row(n, row, communes, area, others, existing, seen, errors, source):
    """Check and convert one village row; add errors naming row and column; None if invalid."""
    ok = True
    ccode = commune_code(row.get("commune_code", ""))
    vcode = row.get("village_code", "")
    name = " ".join(row.get("name", "").split())
    commune = communes.get(ccode)
    if commune is None:
        errors.add(n, "commune_code", f"không có xã/phường mã '{ccode}'.", f"there is no commune '{ccode}'.")
        ok = False
    elif area is not None and commune.code not in area:
        _outside_area(errors, n, "commune_code", commune.code)
        ok = False
    if not VILLAGE_CODE.match(vcode):
        errors.add(n, "village_code", "mã thôn phải có 1-20 ký tự chữ, số, '.', '-', '_'.",
                   "the village code must be 1-20 letters, digits, '.', '-' or '_'.")
        ok = False
    elif vcode in others:
        errors.add(n, "village_code", f"mã '{vcode}' trùng mã một tỉnh hoặc xã.",
                   f"code '{vcode}' is already a province or commune code.")
        ok = False
    elif vcode in seen:
        errors.add(n, "village_code", f"mã '{vcode}' lặp lại dòng {seen[vcode]}.",
                   f"code '{vcode}' repeats row {seen[vcode]}.")
        ok = False
    else:
        seen[vcode] = n
        prior = existing.get(vcode)
        if prior is not None and commune is not None and prior.parent_code != commune.code:
            errors.add(n, "commune_code", f"thôn '{vcode}' đã thuộc xã {prior.parent_code}.",
                       f"village '{vcode}' already belongs to commune {prior.parent_code}.")
            ok = False
    if not name:
        errors.add(n, "name", "tên thôn bắt buộc.", "the village name is required.")
        ok = False
    elif len(name) > NAME_MAX:
        errors.add(n, "name", f"tên dài quá {NAME_MAX} ký tự.", f"the name is longer than {NAME_MAX} characters.")
        ok = False
    kind = row.get("kind") or "thon"
    if kind not in VILLAGE_KINDS:
        errors.add(n, "kind", f"loại phải là một trong {', '.join(VILLAGE_KINDS)}.",
                   f"kind must be one of {', '.join(VILLAGE_KINDS)}.")
        ok = False
    flags = {}
    for col in ("in_dtts_mn_area", "is_especially_difficult"):
        try:
            flags[col] = parse_bool(row.get(col, ""))
        except ValueError:
            errors.add(n, col, "phải là 1/0 hoặc có/không.", "must be 1/0 or yes/no.")
            ok = False
    dates = _parse_validity(n, row, errors, TWO_LEVEL_SINCE, None)
    counts = _parse_counts(n, row, errors)
    if counts is None or dates is None or not ok:
        return None
    unit = Unit(code=vcode, level="village", kind=kind, name=name, parent_code=commune.code,
                province_code=commune.province_code, commune_code=commune.code, is_urban=commune.is_urban,
                in_dtts_mn_area=flags["in_dtts_mn_area"], is_especially_difficult=flags["is_especially_difficult"],
                valid_from=dates[0], valid_to=dates[1], source=source[:200])
    return unit, counts


def _parse_validity(n, row, errors, default_from, default_to) -> tuple[date, date | None] | None:
    """The row's valid_from and valid_to (defaults when empty), each checked; None if invalid."""
    dates = {}
    for col, default in (("valid_from", default_from), ("valid_to", default_to)):
        try:
            dates[col] = parse_date(row.get(col, ""), default)
        except ValueError:
            errors.add(n, col, "ngày phải theo dạng YYYY-MM-DD.", "the date must be YYYY-MM-DD.")
    if len(dates) < 2:
        return None
    if dates["valid_to"] is not None and dates["valid_to"] <= dates["valid_from"]:
        errors.add(n, "valid_to", f"phải sau ngày bắt đầu {dates['valid_from'].isoformat()}.",
                   f"must be after the start date {dates['valid_from'].isoformat()}.")
        return None
    return dates["valid_from"], dates["valid_to"]


def _parse_counts(n, row, errors) -> dict[int, tuple[int, int | None]] | None:
    """The households_YYYY / persons_YYYY columns of a row as {year: (households, persons)}."""
    values: dict[int, dict[str, int]] = {}
    ok = True
    for col, raw in row.items():
        m = COUNT_COLUMN.match(col)
        if not m or not raw:
            continue
        try:
            value = parse_count(raw)
        except ValueError:
            errors.add(n, col, "phải là số nguyên từ 0 đến 10.000.000.",
                       "must be a whole number from 0 to 10,000,000.")
            ok = False
            continue
        values.setdefault(int(m.group(2)), {})[m.group(1)] = value
    result = {}
    for year, v in values.items():
        if "households" not in v:
            errors.add(n, f"households_{year}", "có số nhân khẩu mà thiếu số hộ.", "persons given without households.")
            ok = False
            continue
        result[year] = (v["households"], v.get("persons"))
    return result if ok else None


MAPPING_REQUIRED = ("old_code", "old_name", "new_code")
MAPPING_OPTIONAL = ("valid_from", "valid_to")
# Before the reorganisation a mapping row applies to data from this date unless the file says otherwise.
MAPPING_DEFAULT_FROM = date(2000, 1, 1)


def import_commune_mapping(data: bytes | str, source: str, actor=None) -> ImportReport:
    """Import the old → new commune mapping (for re-aggregating data from before 07/2025); all rows or none.

    With an `actor`, every new commune must lie in their area."""
    file = read_csv(data)
    check_header(file, MAPPING_REQUIRED, lambda col: col in MAPPING_OPTIONAL)
    communes = set(db.session.execute(select(Unit.code).where(Unit.level == "commune")).scalars())
    area = _communes_in_area(actor)
    errors, seen, parsed = file.errors, {}, []
    for n, row in file.rows:
        old = commune_code(row.get("old_code", ""))
        new = commune_code(row.get("new_code", ""))
        name = " ".join(row.get("old_name", "").split())
        ok = True
        if not (old.isdigit() and len(old) == 5):
            errors.add(n, "old_code", "mã xã cũ phải có 5 chữ số.", "the old commune code must be 5 digits.")
            ok = False
        if new not in communes:
            errors.add(n, "new_code", f"không có xã/phường mã '{new}'.", f"there is no commune '{new}'.")
            ok = False
        elif area is not None and new not in area:
            _outside_area(errors, n, "new_code", new)
            ok = False
        if not name:
            errors.add(n, "old_name", "tên xã cũ bắt buộc.", "the old commune's name is required.")
            ok = False
        elif len(name) > NAME_MAX:
            errors.add(n, "old_name", f"tên dài quá {NAME_MAX} ký tự.",
                       f"the name is longer than {NAME_MAX} characters.")
            ok = False
        if (old, new) in seen:
            errors.add(n, "old_code", f"cặp mã {old} → {new} lặp lại dòng {seen[(old, new)]}.",
                       f"the pair {old} → {new} repeats row {seen[(old, new)]}.")
            ok = False
        else:
            seen[(old, new)] = n
        dates = _parse_validity(n, row, errors, MAPPING_DEFAULT_FROM, TWO_LEVEL_SINCE)
        if ok and dates is not None:
            parsed.append(CommuneMapping(old_code=old, old_name=name, new_code=new, valid_from=dates[0],
                                         valid_to=dates[1], source=source[:200]))
    if not file.rows:
        errors.add(2, "old_code", "tệp không có dòng dữ liệu.", "the file has no data rows.")
    errors.raise_if_any()
    report = ImportReport(rows=len(parsed))
    stored = {(m.old_code, m.new_code): m for m in db.session.execute(select(CommuneMapping)).scalars()}
    for mapping in parsed:
        prior = stored.get((mapping.old_code, mapping.new_code))
        if prior is None:
            db.session.add(mapping)
            report.created += 1
        else:
            prior.old_name, prior.valid_from, prior.valid_to = mapping.old_name, mapping.valid_from, mapping.valid_to
            prior.source = mapping.source
            report.updated += 1
    db.session.flush()
    return report


IMPORTERS = {"villages": import_villages, "mapping": import_commune_mapping}


def import_file(kind: str, data: bytes | str, source: str, actor=None) -> ImportReport:
    """Run the import of `kind` ("villages" or "mapping") and audit it; `actor` None means the command line."""
    report = IMPORTERS[kind](data, source=source, actor=actor)
    record_event(f"import_{kind}", actor, actor_name=None if actor else "cli",
                 unit_code=actor.unit_code if actor else current_app.config["PROVINCE_CODE"],
                 file=source, rows=report.rows, created=report.created, updated=report.updated)
    return report
