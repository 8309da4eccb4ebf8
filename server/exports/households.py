"""The household lists (issue 13 item 2): poor, near-poor, middle-income, escaped, newly poor, streamed.

A list holds the household forms of a unit (province, commune or village) and review year counted under a basis
(the indicators' bases: approved, recognised, submitted), one row per household with its head, members, class,
deficits named under its rule set, and review state. The rows are read with `yield_per`, so a province's list is
never held in memory.

`escaped` and `newly-poor` follow the §5.2 flows exactly as the report tables count them
(server.indicators.flows): households are linked across years by (today's commune, household code); a household
escaped when it was poor last year and is counted this year in another class (columns 2 and 3 of table 2); it is
newly poor when it is poor this year and in column 7 of table 2 (middle or not poor last year and never poor
before, or without a household code that links it). These two lists read the forms ordered by household and
group them as they stream, so they hold one household at a time.

Lists are personal data: the caller checks the unit is in the actor's area (operations.find_unit) and writes the
audit entry (server.exports.operations).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import and_, func, or_, select

from server.core.scoping import unscoped
from server.extensions import db
from server.indicators.flows import in_row
from server.indicators.queries import Frame, counted
from server.places.models import Unit
from server.poverty import load_rule_set
from server.poverty.rules import RuleSetError
from server.submissions.lifecycle import STATE_LABELS
from server.submissions.models import Submission as S
from server.surveys.display import code_label

LISTS = ("poor", "near-poor", "middle", "escaped", "newly-poor")
LIST_LABELS = {
    "poor": ("Danh sách hộ nghèo", "Poor households"),
    "near-poor": ("Danh sách hộ cận nghèo", "Near-poor households"),
    "middle": ("Danh sách hộ có mức sống trung bình", "Middle-income households"),
    "escaped": ("Danh sách hộ thoát nghèo", "Households that escaped poverty"),
    "newly-poor": ("Danh sách hộ nghèo phát sinh mới", "Newly poor households"),
}
CLASS_OF_LIST = {"poor": "poor", "near-poor": "near_poor", "middle": "middle"}
HEADER = ["STT", "Mã xã", "Xã/phường", "Mã thôn", "Thôn/tổ", "Mã hộ", "Họ tên chủ hộ", "Dân tộc chủ hộ",
          "Số nhân khẩu", "Phân loại", "Phân loại năm trước", "Số chỉ số thiếu hụt", "Các chỉ số thiếu hụt",
          "Trạng thái rà soát", "Năm rà soát", "Khu vực", "Mã phiếu"]
FORMATS = [None] * 8 + ["#,##0", None, None, "#,##0"] + [None] * 5
WIDTHS = [6, 8, 20, 12, 18, 12, 26, 12, 9, 14, 14, 9, 40, 22, 8, 9, 38]
COLUMNS = (S.id, S.review_year, S.commune_code, S.village_code, S.household_code, S.head_name, S.head_ethnicity,
           S.members_count, S.poverty_class, S.deficit_mask, S.deficit_count, S.state, S.rule_set, S.area,
           S.current_id)
AREA_LABELS = {"urban": "Thành thị", "rural": "Nông thôn"}
CHUNK = 1000
AREA_CHECKED = "a household list of a unit checked in the caller's area (server.exports.operations)"


def canonical_list(name: str) -> str | None:
    """The list's name as LISTS spells it (near_poor and newly_poor accepted too), or None."""
    name = (name or "").strip().lower().replace("_", "-")
    return name if name in LISTS else None


class Names:
    """Unit names and deficit names, read once per export."""

    def __init__(self, unit: Unit) -> None:
        stmt = select(Unit.code, Unit.name)
        if unit.level == "province":
            stmt = stmt.where(Unit.province_code == unit.code)
        else:
            stmt = stmt.where(Unit.commune_code == (unit.code if unit.level == "commune" else unit.commune_code))
        self.units = dict(db.session.execute(stmt).all())
        self._names: dict[str, dict[int, str]] = {}
        self._texts: dict[tuple, str] = {}  # a list repeats a few thousand values: each is worked out once

    def deficits(self, rule_set: str | None, mask: int | None) -> str:
        """The deficit indicators of a form, numbered and named under its rule set: "1. Việc làm; 4. …"."""
        if not mask:
            return ""
        key = (rule_set, mask)
        text = self._texts.get(key)
        if text is None:
            names = self._names.get(rule_set)
            if names is None:
                try:
                    names = {i.number: i.label["vi"] for i in load_rule_set(rule_set).indicators}
                except (RuleSetError, TypeError):
                    names = {}
                self._names[rule_set] = names
            numbers = [n for n in range(1, 64) if mask >> (n - 1) & 1]
            text = self._texts[key] = "; ".join(f"{n}. {names.get(n, '')}".rstrip(". ") for n in numbers)
        return text

    def label(self, field: str, code: str | None) -> str:
        """What people read for a code ("class", "ethnicity"), empty for none."""
        if not code:
            return ""
        key = (field, code)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = code_label(field, code) or ""
        return text


def _row(index: int, r, names: Names, previous: str | None) -> list:
    today, units = r.today_commune, names.units
    return [index, today, units.get(today, ""), r.village_code, units.get(r.village_code, ""),
            r.household_code or "", r.head_name or "", names.label("ethnicity", r.head_ethnicity),
            r.members_count, names.label("class", r.poverty_class), names.label("class", previous),
            r.deficit_count or 0, names.deficits(r.rule_set, r.deficit_mask),
            STATE_LABELS.get(r.state, (r.state,))[0], r.review_year, AREA_LABELS.get(r.area, ""), r.current_id]


def _stream(stmt) -> Iterator:
    """The rows of a statement over the forms of a checked unit, fetched in chunks."""
    result = db.session.execute(unscoped(stmt, AREA_CHECKED).execution_options(yield_per=CHUNK))
    try:
        yield from result
    finally:  # also when the export stops early (a client gone): PostgreSQL's server-side cursor is closed
        result.close()


def count_rows(name: str, unit: Unit, year: int, basis: str) -> int | None:
    """How many rows a simple list will have (for the progress display); None for the flow lists."""
    if name not in CLASS_OF_LIST:
        return None
    f = Frame()
    stmt = f.within(counted(f.joined(select(func.count())), basis).where(
        S.review_year == year, S.poverty_class == CLASS_OF_LIST[name]), unit.level, [unit.code])
    return db.session.execute(unscoped(stmt, AREA_CHECKED)).scalar_one()


def rows(name: str, unit: Unit, year: int, basis: str) -> Iterator[list]:
    """The list `name` (one of LISTS) of `unit` for review year `year` under `basis`, as rows under HEADER."""
    names = Names(unit)
    f = Frame()
    columns = (*COLUMNS, f.commune.label("today_commune"))
    if name in CLASS_OF_LIST:
        stmt = f.within(counted(f.joined(select(*columns)), basis).where(
            S.review_year == year, S.poverty_class == CLASS_OF_LIST[name]), unit.level, [unit.code])
        stmt = stmt.order_by(f.commune, S.village_code, S.household_code, S.id)
        for i, r in enumerate(_stream(stmt), 1):
            yield _row(i, r, names, None)
        return
    yield from _flow_list(name, unit, year, basis, names, f, columns)


def _flow_list(name: str, unit: Unit, year: int, basis: str, names: Names, f: Frame, columns) -> Iterator[list]:
    """The escaped or newly-poor households, grouped by household as the forms stream (see the module doc)."""
    prev = year - 1
    coded = and_(S.household_code.is_not(None), S.review_year <= year)
    uncoded_poor = and_(S.household_code.is_(None), S.review_year == year, S.poverty_class == "poor")
    stmt = f.within(counted(f.joined(select(*columns)), basis).where(
        or_(coded, uncoded_poor) if name == "newly-poor" else and_(coded, S.review_year >= prev)),
        unit.level, [unit.code])
    stmt = stmt.order_by(f.commune, S.household_code, S.review_year, S.id)
    index = 0
    for key, group in groupby(_stream(stmt), key=lambda r: (r.today_commune, r.household_code)):
        forms = list(group)
        now = [r for r in forms if r.review_year == year]
        before = [r for r in forms if r.review_year == prev]
        linked = key[1] is not None and len(now) <= 1 and len(before) <= 1
        for r, previous in _flow_members(name, now, before, forms, linked, prev):
            index += 1
            yield _row(index, r, names, previous)


def _flow_members(name: str, now: list, before: list, forms: list, linked: bool, prev: int):
    """The forms of one household that are in the list, each with last year's class."""
    last = before[0].poverty_class if linked and before else None
    if name == "escaped":
        if linked and now and last == "poor" and now[0].poverty_class != "poor":
            yield now[0], last
        return
    for r in now:
        if r.poverty_class != "poor" or last == "poor":  # poor both years: in no flow row
            continue
        link = {"prev_class": last, "linked": linked,
                "earlier_poor": any(f.review_year < prev and f.poverty_class == "poor" for f in forms)}
        if in_row("poor", link) == "newly_poor":
            yield r, last
