"""One call per export, shared by the command, the exports page, the API and the background jobs.

    report(table, year, unit_code, basis, actor) -> Report        the sheet of a §5.3 report table
    household_list(name, year, unit_code, basis, fmt, actor, purpose) -> HouseholdList   checked and audited
    write(export, out, progress=None) -> rows                      writes either to a binary file
    file_name(...)                                                 says the table, unit, year and basis

Every check raises a Problem naming the field (year, unit, basis, table, class, format, purpose). A household list
is personal data: its unit must lie in the actor's area, a purpose must be given, and the export is written to
the audit trail (`households.exported`: who, which list, which unit, year, basis, format, purpose) in the
transaction of the request (or command) that asks for it, before any row is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from server.audit.operations import record_event
from server.core.db import TIMEZONE
from server.core.errors import Problem, field_error
from server.exports import households, tables, writers
from server.indicators.operations import check_basis, check_year, find_unit, indicator_table
from server.places.models import Unit
from server.poverty import load_rule_set

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
TABLE_FORMATS = ("xlsx", "csv")
LIST_FORMATS = ("xlsx", "csv", "jsonl")
EXPORTS = (*tables.TABLES, "households")
PURPOSE_MAX = 200
# The keys of a household list's JSON Lines objects, in HEADER's order (STT left out).
LIST_KEYS = ("commune_code", "commune", "village_code", "village", "household_code", "head_name", "head_ethnicity",
             "members", "class", "previous_class", "deficit_count", "deficits", "state", "review_year", "area", "id")


def _bad(name: str, vi: str, en: str) -> Problem:
    return Problem("validation_failed", fields=[field_error(name, vi, en)])


def check_table(table: str) -> str:
    if table not in EXPORTS:
        raise _bad("table", f"Bảng phải là một trong: {', '.join(EXPORTS)}.",
                   f"table must be one of: {', '.join(EXPORTS)}.")
    return table


def check_format(fmt: str, allowed: tuple) -> str:
    fmt = (fmt or "").lower()
    if fmt not in allowed:
        raise _bad("format", f"Định dạng phải là một trong: {', '.join(allowed)}.",
                   f"format must be one of: {', '.join(allowed)}.")
    return fmt


def check_list(name) -> str:
    found = households.canonical_list(name if isinstance(name, str) else "")
    if found is None:
        raise _bad("class", f"Danh sách phải là một trong: {', '.join(households.LISTS)}.",
                   f"class must be one of: {', '.join(households.LISTS)}.")
    return found


def check_purpose(purpose) -> str:
    """The stated purpose of a personal-data export: 3-200 printable characters, spaces collapsed."""
    text = " ".join(purpose.split()) if isinstance(purpose, str) else ""
    text = "".join(c for c in text if c.isprintable())
    if len(text) < 3:
        raise _bad("purpose", "Hãy ghi mục đích xuất danh sách (ít nhất 3 ký tự); danh sách có dữ liệu cá nhân.",
                   "State the purpose of the export (at least 3 characters): the list holds personal data.")
    if len(text) > PURPOSE_MAX:
        raise _bad("purpose", f"Mục đích dài quá {PURPOSE_MAX} ký tự.",
                   f"The purpose is longer than {PURPOSE_MAX} characters.")
    return text


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-") or "x"


def file_name(table: str, unit_code: str, year: int, basis: str, fmt: str, list_name: str | None = None) -> str:
    """The file's name says the table (and the list), the unit, the year and the basis: results_20_2026_approved.xlsx"""
    what = f"households-{list_name}" if table == "households" else table
    return f"{_slug(what)}_{_slug(unit_code)}_{year}_{_slug(basis)}.{fmt}"


@dataclass
class Export:
    """An export ready to write: its file name, format and the writer that streams it."""

    file_name: str
    fmt: str
    unit: Unit
    sheet: writers.Sheet | None = None            # XLSX or CSV: a report table or a household list
    items: Iterator[dict] | None = None           # JSON Lines: a household list
    total: int | None = None                      # rows expected, when known (the progress display)

    @property
    def content_type(self) -> str:
        return FORMATS[self.fmt]


def _now() -> datetime:
    return datetime.now(ZoneInfo(TIMEZONE))


def report(table: str, year, unit_code: str | None, basis: str, actor, fmt: str = "xlsx") -> Export:
    """A §5.3 report table of a unit (default: the actor's, else the province) as the indicators compute it."""
    if check_table(table) == "households":
        raise _bad("table", "Danh sách hộ cần --class (household list).", "A household list needs a class.")
    fmt = check_format(fmt, TABLE_FORMATS)
    check_basis(basis)
    year, rule_set = check_year(year)
    unit = find_unit(unit_code, actor)
    data = indicator_table(year, unit.code, basis, actor)
    indicators = [tables.Indicator(i.number, i.label["vi"]) for i in load_rule_set(data["rule_set"]).indicators]
    sheet = tables.report_sheet(table, data, indicators, _now(), rule_set.title["vi"])
    return Export(file_name(table, unit.code, year, basis, fmt), fmt, unit, sheet=sheet)


def household_list(name, year, unit_code: str | None, basis: str, fmt: str, actor, purpose,
                   actor_name: str | None = None, audit: bool = True) -> Export:
    """A household list, checked (role, area, purpose) and audited; its rows stream when it is written.
    `audit=False` only for a background job writing a list its request audited (server.exports.jobs)."""
    if actor is not None and actor.role not in ("supervisor", "officer", "admin"):
        raise Problem("forbidden")
    name = check_list(name)
    fmt = check_format(fmt, LIST_FORMATS)
    check_basis(basis)
    year, _ = check_year(year)
    purpose = check_purpose(purpose)
    unit = find_unit(unit_code, actor)
    out_name = file_name("households", unit.code, year, basis, fmt, name)
    if audit:
        record_event("households.exported", actor, actor_name=actor_name, target_type="unit", target_id=unit.code,
                     unit_code=unit.code, list=name, year=year, basis=basis, format=fmt, purpose=purpose,
                     file_name=out_name)
    rows = households.rows(name, unit, year, basis)
    total = households.count_rows(name, unit, year, basis)
    if fmt == "jsonl":
        return Export(out_name, fmt, unit, items=(_item(r) for r in rows), total=total)
    return Export(out_name, fmt, unit, sheet=list_sheet(unit, year, basis, name, rows), total=total)


def _item(row: list) -> dict:
    """A household list row as a JSON object (deficits as their numbers)."""
    item = dict(zip(LIST_KEYS, row[1:]))
    item["deficits"] = [int(d.split(".")[0]) for d in item["deficits"].split("; ") if d]
    return item


def list_sheet(unit: Unit, year: int, basis: str, list_name: str, rows: Iterator[list]) -> writers.Sheet:
    """The sheet of a household list: its title says the list, unit, year, basis and that it is personal data."""
    vi = households.LIST_LABELS[list_name][0]
    title = [f"{vi.upper()} NĂM {year}", f"Đơn vị: {unit.name} (mã {unit.code})",
             f"Cơ sở tính: {tables.BASIS_LABELS[basis][0]}", f"Ngày xuất: {_now().strftime('%d/%m/%Y %H:%M')}",
             "Tài liệu có dữ liệu cá nhân (Nghị định 13/2023/NĐ-CP): chỉ dùng cho mục đích đã ghi khi xuất."]
    return writers.Sheet(name=vi, columns=len(households.HEADER), title=title, header=[households.HEADER],
                         rows=rows, formats=households.FORMATS, widths=households.WIDTHS)


def write(export: Export, out, progress: Callable[[int], None] | None = None) -> int:
    """Write an export to the binary file `out`; return the rows written (a CSV's numbering row not counted)."""
    if export.fmt == "jsonl":
        return writers.write_jsonl(out, export.items, progress=progress)
    sheet = export.sheet
    if export.fmt == "xlsx":
        return writers.write_xlsx(out, [sheet], progress=progress)
    rows = sheet.rows
    if sheet.numbers:  # a report table: its numbering row under the header
        rows = _with_first(sheet.numbers, rows)
    written = writers.write_csv(out, [h or "" for h in sheet.header[-1]], rows, progress=progress)
    return written - 1 if sheet.numbers else written


def _with_first(first: list, rows) -> Iterator[list]:
    yield first
    yield from rows
