"""Loading and importing places: the province's communes from `vietnam-provinces`, villages and the old→new
commune mapping from CSV. An import is all or nothing: any bad row refuses the whole file, naming the row."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version

from sqlalchemy import select

from server.core.errors import Problem, field_error
from server.extensions import db
from server.places.models import CommuneMapping, Unit, UnitHouseholdCount

# Nghị quyết 202/2025/QH15: the two-level local government (province, commune) is in force from 01/07/2025.
TWO_LEVEL_SINCE = date(2025, 7, 1)
VILLAGE_KINDS = ("thon", "ban", "khoi", "to_dan_pho", "khu", "lang", "xom")
VILLAGE_CODE = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
COUNT_COLUMN = re.compile(r"^(households|persons)_(\d{4})$")
_TRUE = {"1", "true", "yes", "x", "có", "co", "c"}
_FALSE = {"0", "false", "no", "không", "khong", "k"}


@dataclass
class ImportReport:
    """What an import did: rows read, units created and updated."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)


def load_province(province_code: str) -> ImportReport:
    """Load (or refresh) a province and its communes from the `vietnam-provinces` package."""
    from vietnam_provinces import Province, ProvinceCode, Ward

    pcode = ProvinceCode(int(province_code))
    province = Province.from_code(pcode)
    wards = list(Ward.iter_by_province(pcode))
    source = f"vietnam-provinces {version('vietnam-provinces')}"
    if not wards:
        raise RuntimeError(f"{source} holds no communes for province {province_code}: is it the 2025 list?")
    report = ImportReport(rows=len(wards) + 1)
    code = f"{int(province_code):02d}"
    _upsert(report, Unit(code=code, level="province", kind="tinh", name=province.name, parent_code=None,
                         province_code=code, commune_code=None, is_urban=False,
                         valid_from=TWO_LEVEL_SINCE, source=source))
    db.session.flush()
    for ward in sorted(wards, key=lambda w: int(w.code)):
        kind = _ascii_kind(ward.division_type.value)
        ccode = f"{int(ward.code):05d}"
        _upsert(report, Unit(code=ccode, level="commune", kind=kind, name=ward.name, parent_code=code,
                             province_code=code, commune_code=ccode, is_urban=(kind == "phuong"),
                             valid_from=TWO_LEVEL_SINCE, source=source))
    db.session.flush()
    return report


def _ascii_kind(division_type: str) -> str:
    """'phường' → 'phuong', 'xã' → 'xa', 'đặc khu' → 'dac_khu'."""
    table = {"phường": "phuong", "xã": "xa", "đặc khu": "dac_khu"}
    return table.get(division_type.lower(), division_type.lower().replace(" ", "_"))


def _upsert(report: ImportReport, unit: Unit) -> None:
    """Insert the unit, or update the stored one with the same code."""
    existing = db.session.get(Unit, unit.code)
    if existing is None:
        db.session.add(unit)
        report.created += 1
        return
    for attr in ("level", "kind", "name", "parent_code", "province_code", "commune_code", "is_urban",
                 "valid_from", "valid_to", "source"):
        setattr(existing, attr, getattr(unit, attr))
    report.updated += 1


def read_csv(data: bytes | str) -> tuple[list[str], list[dict]]:
    """Read a CSV (UTF-8 with or without BOM; comma or semicolon as Excel writes it) into header and rows."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Problem("import_invalid", fields=[field_error(
                "file", "Tệp phải là CSV mã hoá UTF-8.", "The file must be a CSV encoded in UTF-8.")]) from None
    data = data.lstrip("\ufeff")
    first = data.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(data), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    return header, list(reader)


class _RowErrors:
    """Collects errors that name the row (as a spreadsheet numbers it: the header is row 1) and the column."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, row: int, column: str, vi: str, en: str) -> None:
        self.items.append(field_error(f"row {row}, {column}", f"Dòng {row}, cột {column}: {vi}",
                                      f"Row {row}, column {column}: {en}"))

    def raise_if_any(self) -> None:
        if self.items:
            raise Problem("import_invalid", fields=self.items)


def _check_header(header: list[str], required: tuple[str, ...], optional: tuple[str, ...], counts: bool) -> None:
    """Refuse a file whose header lacks a required column or has an unknown one."""
    errors = _RowErrors()
    for col in required:
        if col not in header:
            errors.add(1, col, "thiếu cột bắt buộc.", "required column is missing.")
    for col in header:
        if col not in required and col not in optional and not (counts and COUNT_COLUMN.match(col)):
            errors.add(1, col or "(trống)", "cột không được biết.", "unknown column.")
    errors.raise_if_any()


def _parse_bool(value: str) -> bool | None:
    """'1'/'có'/'true' → True, '0'/'không'/'false' → False, '' → None; anything else raises ValueError."""
    v = (value or "").strip().lower()
    if not v:
        return None
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(value)


def _parse_date(value: str, default: date | None) -> date | None:
    """ISO date (YYYY-MM-DD) or the default when empty; raises ValueError otherwise."""
    v = (value or "").strip()
    return date.fromisoformat(v) if v else default


VILLAGE_REQUIRED = ("commune_code", "village_code", "name")
VILLAGE_OPTIONAL = ("kind", "in_dtts_mn_area", "is_especially_difficult", "valid_from", "valid_to")


def import_villages(data: bytes | str, source: str) -> ImportReport:
    """Import villages with their household counts by year and DTTS&MN flags; all rows or none."""
    header, rows = read_csv(data)
    _check_header(header, VILLAGE_REQUIRED, VILLAGE_OPTIONAL, counts=True)
    communes = {u.code: u for u in db.session.execute(select(Unit).where(Unit.level == "commune")).scalars()}
    others = set(db.session.execute(select(Unit.code).where(Unit.level != "village")).scalars())
    existing = {u.code: u for u in db.session.execute(select(Unit).where(Unit.level == "village")).scalars()}
    errors, seen, parsed = _RowErrors(), {}, []
    for n, row in enumerate(rows, start=2):
        item = _parse_village_row(n, row, communes, others, existing, seen, errors, source)
        if item is not None:
            parsed.append(item)
    if not rows:
        errors.add(2, "village_code", "tệp không có dòng dữ liệu.", "the file has no data rows.")
    errors.raise_if_any()
    report = ImportReport(rows=len(parsed))
    for unit, counts in parsed:
        _upsert(report, unit)
        db.session.flush()
        for year, (households, persons) in counts.items():
            row = db.session.get(UnitHouseholdCount, (unit.code, year))
            if row is None:
                db.session.add(UnitHouseholdCount(unit_code=unit.code, year=year, households=households,
                                                  persons=persons))
            else:
                row.households, row.persons = households, persons
    db.session.flush()
    return report


def _parse_village_row(n, row, communes, others, existing, seen, errors, source):
    """Check and convert one village row; add errors naming row and column; None if invalid."""
    ok = True
    ccode = (row.get("commune_code") or "").strip()
    vcode = (row.get("village_code") or "").strip()
    name = " ".join((row.get("name") or "").split())
    commune = communes.get(ccode.zfill(5) if ccode.isdigit() else ccode)
    if commune is None:
        errors.add(n, "commune_code", f"không có xã/phường mã '{ccode}'.", f"there is no commune '{ccode}'.")
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
    kind = (row.get("kind") or "thon").strip() or "thon"
    if kind not in VILLAGE_KINDS:
        errors.add(n, "kind", f"loại phải là một trong {', '.join(VILLAGE_KINDS)}.",
                   f"kind must be one of {', '.join(VILLAGE_KINDS)}.")
        ok = False
    flags = {}
    for col in ("in_dtts_mn_area", "is_especially_difficult"):
        try:
            flags[col] = _parse_bool(row.get(col, ""))
        except ValueError:
            errors.add(n, col, "phải là 1/0 hoặc có/không.", "must be 1/0 or yes/no.")
            ok = False
    dates = {}
    for col, default in (("valid_from", TWO_LEVEL_SINCE), ("valid_to", None)):
        try:
            dates[col] = _parse_date(row.get(col, ""), default)
        except ValueError:
            errors.add(n, col, "ngày phải theo dạng YYYY-MM-DD.", "the date must be YYYY-MM-DD.")
            ok = False
    if ok and dates["valid_to"] is not None and dates["valid_to"] <= dates["valid_from"]:
        errors.add(n, "valid_to", "phải sau valid_from.", "must be after valid_from.")
        ok = False
    counts = _parse_counts(n, row, errors)
    if counts is None or not ok:
        return None
    unit = Unit(code=vcode, level="village", kind=kind, name=name, parent_code=commune.code,
                province_code=commune.province_code, commune_code=commune.code, is_urban=commune.is_urban,
                in_dtts_mn_area=flags["in_dtts_mn_area"], is_especially_difficult=flags["is_especially_difficult"],
                valid_from=dates["valid_from"], valid_to=dates["valid_to"], source=source[:200])
    return unit, counts


def _parse_counts(n, row, errors) -> dict[int, tuple[int, int | None]] | None:
    """The households_YYYY / persons_YYYY columns of a row as {year: (households, persons)}."""
    values: dict[int, dict[str, int]] = {}
    ok = True
    for col, raw in row.items():
        m = COUNT_COLUMN.match(col or "")
        if not m or not (raw or "").strip():
            continue
        try:
            value = int(raw.strip())
            if value < 0:
                raise ValueError
        except ValueError:
            errors.add(n, col, "phải là số nguyên không âm.", "must be a whole number, not negative.")
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


def import_commune_mapping(data: bytes | str, source: str) -> ImportReport:
    """Import the old → new commune mapping (for re-aggregating data from before 07/2025); all rows or none."""
    header, rows = read_csv(data)
    _check_header(header, MAPPING_REQUIRED, MAPPING_OPTIONAL, counts=False)
    communes = set(db.session.execute(select(Unit.code).where(Unit.level == "commune")).scalars())
    errors, seen, parsed = _RowErrors(), {}, []
    for n, row in enumerate(rows, start=2):
        old = (row.get("old_code") or "").strip()
        new = (row.get("new_code") or "").strip()
        name = " ".join((row.get("old_name") or "").split())
        ok = True
        if not (old.isdigit() and len(old) == 5):
            errors.add(n, "old_code", "mã xã cũ phải có 5 chữ số.", "the old commune code must be 5 digits.")
            ok = False
        if new not in communes:
            errors.add(n, "new_code", f"không có xã/phường mã '{new}'.", f"there is no commune '{new}'.")
            ok = False
        if not name:
            errors.add(n, "old_name", "tên xã cũ bắt buộc.", "the old commune's name is required.")
            ok = False
        if (old, new) in seen:
            errors.add(n, "old_code", f"cặp mã lặp lại dòng {seen[(old, new)]}.",
                       f"the pair repeats row {seen[(old, new)]}.")
            ok = False
        seen[(old, new)] = n
        try:
            valid_from = _parse_date(row.get("valid_from", ""), date(2000, 1, 1))
            valid_to = _parse_date(row.get("valid_to", ""), TWO_LEVEL_SINCE)
        except ValueError:
            errors.add(n, "valid_from", "ngày phải theo dạng YYYY-MM-DD.", "the date must be YYYY-MM-DD.")
            ok = False
        if ok:
            parsed.append(CommuneMapping(old_code=old, old_name=name, new_code=new, valid_from=valid_from,
                                         valid_to=valid_to, source=source[:200]))
    if not rows:
        errors.add(2, "old_code", "tệp không có dòng dữ liệu.", "the file has no data rows.")
    errors.raise_if_any()
    report = ImportReport(rows=len(parsed))
    for mapping in parsed:
        prior = db.session.execute(select(CommuneMapping).where(
            CommuneMapping.old_code == mapping.old_code, CommuneMapping.new_code == mapping.new_code)).scalar()
        if prior is None:
            db.session.add(mapping)
            report.created += 1
        else:
            prior.old_name, prior.valid_from, prior.valid_to = mapping.old_name, mapping.valid_from, mapping.valid_to
            prior.source = mapping.source
            report.updated += 1
    db.session.flush()
    return report
