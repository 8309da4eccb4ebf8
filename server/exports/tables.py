"""The five report tables of poverty-review.md §5.3, laid out from an indicator table: pure.

Each table is one sheet: the title (table, unit, review year, basis, rule set, date of the export), the header in
Vietnamese with the official column numbering under it, one row per child unit (commune, or village for a
commune) then the unit's own row as the total. Every figure is read from the indicator table
(server.indicators.operations.indicator_table), never computed again, so a table always shows the dashboard's
numbers; only the percentages of table 1's middle-income persons (13/2) and nothing else are divided here,
because the indicator table has no such rate.

    results           (1) households, (2) persons, (3) poor, (4) = 3/1 %, (5) near-poor, (6) %, (7) middle-income
                      agricultural, (8) %, (9) poor persons, (10) = 9/2 %, (11) near-poor persons, (12) %,
                      (13) middle-income agricultural persons, (14) %
    poor-flows        two rows a unit (households, persons): (1) begin … (9) end = 1−2−3−4+5+6+7+8 (§5.2)
    near-poor-flows   the same for near-poor households: (9) = 1−2−3−4+5+6+7+8
    deficits          (1) poor households, (2) deficits in all, (3)…(14) poor households deprived on indicator 1…12
    deficits-percent  (1) poor households, (2) mean deficits per poor household, (3)…(14) % deprived on 1…12
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from server.exports.writers import Sheet
from server.indicators.flows import NEAR_POOR_KEYS, POOR_KEYS

TABLES = ("results", "poor-flows", "near-poor-flows", "deficits", "deficits-percent")
BASIS_LABELS = {
    "approved": ("hồ sơ đã được xã duyệt", "forms approved by the commune"),
    "recognised": ("hồ sơ đã được công nhận (quyết định của xã)", "forms recognised by the commune's decision"),
    "submitted": ("mọi hồ sơ đã nộp (chưa duyệt)", "every submitted form (not yet approved)"),
}
LEVEL_LABELS = {"province": "Xã/phường", "commune": "Thôn/tổ dân phố", "village": "Thôn/tổ dân phố"}
COUNT, RATE, MEAN = "#,##0", "0.00", "0.00"

# Table 1: (header, key of the indicator row, format); None = the percentage computed here (see the module doc).
RESULTS = (
    ("Tổng số hộ dân cư", "households", COUNT),
    ("Tổng số nhân khẩu", "persons", COUNT),
    ("Số hộ nghèo", "poor", COUNT),
    ("Tỷ lệ hộ nghèo (%)", "poor_rate", RATE),
    ("Số hộ cận nghèo", "near_poor", COUNT),
    ("Tỷ lệ hộ cận nghèo (%)", "near_poor_rate", RATE),
    ("Số hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình", "middle_agricultural", COUNT),
    ("Tỷ lệ hộ có mức sống trung bình (%)", "middle_agricultural_rate", RATE),
    ("Số nhân khẩu nghèo", "poor_persons", COUNT),
    ("Tỷ lệ nhân khẩu nghèo (%)", "poor_persons_rate", RATE),
    ("Số nhân khẩu cận nghèo", "near_poor_persons", COUNT),
    ("Tỷ lệ nhân khẩu cận nghèo (%)", "near_poor_persons_rate", RATE),
    ("Số nhân khẩu hộ có mức sống trung bình", "middle_agricultural_persons", COUNT),
    ("Tỷ lệ nhân khẩu hộ có mức sống trung bình (%)", None, RATE),
)
POOR_FLOW_HEADERS = {
    "begin": "Số hộ nghèo đầu kỳ",
    "escaped_to_near_poor": "Thoát nghèo, thành hộ cận nghèo",
    "escaped_above_near_poor": "Thoát nghèo, vượt mức cận nghèo",
    "other_decrease": "Giảm khác (thay đổi nhân khẩu, chết, chuyển đi, tách hộ)",
    "near_poor_to_poor": "Hộ cận nghèo thành hộ nghèo",
    "fell_back": "Tái nghèo",
    "newly_poor": "Hộ nghèo phát sinh mới",
    "other_increase": "Tăng khác",
    "end": "Số hộ nghèo cuối kỳ (9 = 1-2-3-4+5+6+7+8)",
}
NEAR_POOR_FLOW_HEADERS = {
    "begin": "Số hộ cận nghèo đầu kỳ",
    "escaped": "Thoát cận nghèo",
    "near_poor_to_poor": "Hộ cận nghèo thành hộ nghèo",
    "other_decrease": "Giảm khác (thay đổi nhân khẩu, chết, chuyển đi, tách hộ)",
    "poor_to_near_poor": "Hộ nghèo thành hộ cận nghèo",
    "fell_back": "Tái cận nghèo",
    "newly_near_poor": "Hộ cận nghèo phát sinh mới",
    "other_increase": "Tăng khác",
    "end": "Số hộ cận nghèo cuối kỳ (9 = 1-2-3-4+5+6+7+8)",
}
TITLES = {
    "results": "BIỂU 1. KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ CÓ MỨC SỐNG TRUNG BÌNH",
    "poor-flows": "BIỂU 2. DIỄN BIẾN HỘ NGHÈO",
    "near-poor-flows": "BIỂU 3. DIỄN BIẾN HỘ CẬN NGHÈO",
    "deficits": "BIỂU 4. THIẾU HỤT CÁC DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO (SỐ HỘ)",
    "deficits-percent": "BIỂU 5. THIẾU HỤT CÁC DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO (TỶ LỆ %)",
}
SIDES = (("households", "Hộ"), ("persons", "Nhân khẩu"))


@dataclass(frozen=True)
class Indicator:
    """A deficit indicator's number and Vietnamese name, from the rule set the table was computed under."""

    number: int
    name: str


def _numbering(n: int, lead: int) -> list[str]:
    """The official column numbering row: blank under the `lead` label columns, then (1) … (n)."""
    return ["" for _ in range(lead)] + [f"({i})" for i in range(1, n + 1)]


def _rate(count, total):
    """count / total × 100 as the indicators compute a rate (server.indicators.figures.rate), None when unknown."""
    if count is None or not total:
        return None
    return count * 100 / total


def _title(table: str, indicator_table: dict, exported_at: datetime, rule_set_title: str) -> list[str]:
    unit, year, basis = indicator_table["unit"], indicator_table["year"], indicator_table["basis"]
    return [f"{TITLES[table]} NĂM {year}",
            f"Đơn vị: {unit['name']} (mã {unit['code']}) — năm rà soát {year}",
            f"Cơ sở tính: {BASIS_LABELS[basis][0]} — bộ quy tắc {indicator_table['rule_set']}: {rule_set_title}",
            f"Ngày xuất: {exported_at.strftime('%d/%m/%Y %H:%M')}"]


def _notes(indicator_table: dict) -> list[str]:
    missing = [r["code"] for r in indicator_table["rows"] if r.get("rate_missing")]
    notes = ["Nguồn: RaSoat, cùng số liệu với trang chỉ số (GET /api/v1/indicators) cho cùng đơn vị, năm và cơ sở "
             "tính. Tỷ lệ tính trên tổng số hộ, nhân khẩu dân cư của đơn vị (số liệu địa bàn)."]
    if missing:
        notes.append("Ô trống ở cột tỷ lệ: chưa có số hộ hoặc nhân khẩu dân cư của " + ", ".join(missing) + ".")
    return notes


def _is_total(unit_code: str) -> Callable[[list], bool]:
    return lambda row: row[1] == unit_code


def report_sheet(table: str, indicator_table: dict, indicators: list[Indicator], exported_at: datetime,
                 rule_set_title: str) -> Sheet:
    """The sheet of report table `table` (one of TABLES) for an indicator table."""
    if table not in TABLES:
        raise ValueError(f"unknown report table {table!r}")
    rows = indicator_table["rows"]
    unit = indicator_table["unit"]
    place = LEVEL_LABELS[unit["level"]]
    lead = ["STT", "Mã", place]
    title = _title(table, indicator_table, exported_at, rule_set_title)
    if table == "results":
        header = [lead + [h for h, _, _ in RESULTS]]
        formats = [None, None, None] + [f for _, _, f in RESULTS]
        body = _results_rows(rows)
        widths = [5, 9, 24] + [11] * len(RESULTS)
    elif table in ("poor-flows", "near-poor-flows"):
        keys, heads = (POOR_KEYS, POOR_FLOW_HEADERS) if table == "poor-flows" else (NEAR_POOR_KEYS,
                                                                                     NEAR_POOR_FLOW_HEADERS)
        lead = lead + ["Chỉ tiêu"]
        header = [lead + [heads[k] for k in keys]]
        formats = [None] * 4 + [COUNT] * len(keys)
        body = _flow_rows(rows, "flows_poor" if table == "poor-flows" else "flows_near_poor", keys)
        widths = [5, 9, 24, 11] + [12] * len(keys)
    else:
        percent = table == "deficits-percent"
        second = "Bình quân số chỉ số thiếu hụt của một hộ nghèo" if percent else "Tổng số lượt thiếu hụt"
        header = [lead + ["Tổng số hộ nghèo", second]
                  + [f"{i.number}. {i.name}" + (" (%)" if percent else "") for i in indicators]]
        formats = [None] * 3 + [COUNT, MEAN if percent else COUNT] + [RATE if percent else COUNT] * len(indicators)
        body = _deficit_rows(rows, indicators, percent)
        widths = [5, 9, 24, 10, 12] + [10] * len(indicators)
    columns = len(header[0])
    return Sheet(name=f"Bieu {TABLES.index(table) + 1}", columns=columns, title=title, header=header,
                 numbers=_numbering(columns - len(lead), len(lead)), rows=body, formats=formats, widths=widths,
                 bold_rows=_is_total(unit["code"]), notes=_notes(indicator_table))


def _label(i: int, row: dict, total: bool) -> list:
    return ["" if total else i, row["code"], ("Tổng: " if total else "") + row["name"]]


def _results_rows(rows: list[dict]) -> Iterator[list]:
    last = len(rows) - 1
    for i, row in enumerate(rows):
        values = [row.get(key) if key else _rate(row.get("middle_agricultural_persons"), row.get("persons"))
                  for _, key, _ in RESULTS]
        yield _label(i + 1, row, i == last) + values


def _flow_rows(rows: list[dict], key: str, keys: tuple) -> Iterator[list]:
    last = len(rows) - 1
    for i, row in enumerate(rows):
        for side, label in SIDES:
            flows = row.get(key if side == "households" else key + "_persons") or {}
            yield _label(i + 1, row, i == last) + [label] + [flows.get(k) for k in keys]


def _deficit_rows(rows: list[dict], indicators: list[Indicator], percent: bool) -> Iterator[list]:
    last = len(rows) - 1
    for i, row in enumerate(rows):
        per = row.get("deficits_poor_pct" if percent else "deficits_poor") or {}
        second = row.get("mean_deficits_poor" if percent else "total_deficits_poor")
        yield (_label(i + 1, row, i == last) + [row.get("poor"), second]
               + [per.get(str(ind.number)) for ind in indicators])

