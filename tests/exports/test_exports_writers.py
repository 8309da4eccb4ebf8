"""The pure export writers, read back as a user's program would: openpyxl for XLSX, csv and json for the rest.

No database and no app: server/exports/writers.py is pure (Kobo formpack's model), and one test proves it imports
nothing but the standard library and XlsxWriter.
"""
from __future__ import annotations

import ast
import codecs
import csv
import io
import json
import math
import sys
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.exports import writers
from server.exports.writers import (Sheet, TooManyRows, guard_formula, iter_csv, iter_jsonl, write_csv, write_jsonl,
                                    write_xlsx)

TRIGGERS = "=+-@\t\r"
# Text a spreadsheet might take for a formula, a link, a number or a boolean (a CR would be escaped: see below).
TRICKY = ['=HYPERLINK("http://evil.example","bấm")', "+84 912 345 678", "-2+3", "@SUM(A1)", "\t=1", " =1+1",
          "http://example.org", "0012", "1e5", "TRUE"]


def report_sheet(rows=None, **changes) -> Sheet:
    """A small report table shaped like §5.3's: two title lines, a two-row header with merges, the numbering row."""
    fields = dict(
        name="Biểu 1", columns=5,
        title=["KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025", "Tỉnh Lạng Sơn - chuẩn nghèo 2022-2025"],
        header=[["STT", "Đơn vị", "Hộ nghèo", None, "Ghi chú"], [None, None, "Số hộ", "Tỷ lệ (%)", None]],
        merges=[(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4)],
        numbers=["", "(1)", "(2)", "(3)", "(4)"],
        rows=rows if rows is not None else [[1, "Xã Thất Khê", 1234, 5.4321, None], [2, "Xã Đoàn Kết", 56, 0.5, "ổn"],
                                            ["", "Tổng số", 1290, 5.0, None]],
        formats=[None, None, "#,##0", "0.00", None], widths=[6, 30, 12, 12, 20],
        bold_rows=lambda row: row[1] == "Tổng số", notes=["Nguồn: RaSoat, số liệu đã phê duyệt"])
    fields.update(changes)
    return Sheet(**fields)


def read_xlsx(data: bytes):
    """Open XLSX bytes with openpyxl."""
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_bytes(sheets, **kwargs) -> bytes:
    """Write the sheets to memory and return the file's bytes."""
    buf = io.BytesIO()
    write_xlsx(buf, sheets, **kwargs)
    return buf.getvalue()


def test_writers_import_only_the_standard_library_and_xlsxwriter():
    tree = ast.parse(Path(writers.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a relative import would reach into server/"
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"xlsxwriter"}


def test_xlsx_report_table_reads_back_with_title_header_merges_numbering_and_values():
    buf = io.BytesIO()
    written = write_xlsx(buf, [report_sheet()])
    ws = read_xlsx(buf.getvalue())["Biểu 1"]

    assert written == 3
    assert ws["A1"].value == "KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025" and ws["A1"].font.b
    assert ws["A2"].value == "Tỉnh Lạng Sơn - chuẩn nghèo 2022-2025" and not ws["A2"].font.b
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:E1", "A2:E2", "A3:A4", "B3:B4", "C3:D3", "E3:E4"}
    assert [c.value for c in ws[3]] == ["STT", "Đơn vị", "Hộ nghèo", None, "Ghi chú"]
    assert [c.value for c in ws[4]] == [None, None, "Số hộ", "Tỷ lệ (%)", None]
    assert [c.value for c in ws[5]] == [None, "(1)", "(2)", "(3)", "(4)"]
    assert [c.value for c in ws[6]] == [1, "Xã Thất Khê", 1234, 5.4321, None]
    assert [c.value for c in ws[8]] == [None, "Tổng số", 1290, 5.0, None]
    assert (ws["C6"].number_format, ws["D6"].number_format, ws["B6"].number_format) == ("#,##0", "0.00", "General")
    assert ws["C8"].font.b and not ws["C6"].font.b
    assert ws["A10"].value == "Nguồn: RaSoat, số liệu đã phê duyệt"
    assert ws.column_dimensions["B"].width == pytest.approx(30, abs=1)


def test_xlsx_print_setup_a4_landscape_one_page_wide_with_repeated_and_frozen_header_rows():
    ws = read_xlsx(xlsx_bytes([report_sheet()]))["Biểu 1"]

    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == int(ws.PAPERSIZE_A4)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$5"  # two title lines, two header rows, the numbering row
    assert ws.freeze_panes == "A6"


def test_xlsx_strings_stay_strings_numbers_stay_numbers_and_no_formula_is_written():
    rows = [[text, -5, 2.5, True, None] for text in TRICKY]
    data = xlsx_bytes([report_sheet(rows=rows, bold_rows=None, title=[], numbers=None, header=[["a"] * 5],
                                    merges=[])])
    ws = read_xlsx(data).active

    for line, text in enumerate(TRICKY, start=2):
        cell = ws.cell(line, 1)
        assert (cell.value, cell.data_type) == (text, "s")
        assert [(c.value, c.data_type) for c in ws[line][1:4]] == [(-5, "n"), (2.5, "n"), (True, "b")]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert "<hyperlinks" not in sheet_xml  # "http://…" is text too, not a link


def test_xlsx_dates_nan_decimal_and_other_values():
    rows = [[date(2025, 11, 30), datetime(2025, 11, 30, 14, 5), float("nan"), Decimal("12.5"), float("inf")]]
    ws = read_xlsx(xlsx_bytes([report_sheet(rows=rows, formats=None, bold_rows=None)])).active

    a, b, c, d, e = ws[6]
    assert (a.value, a.number_format) == (datetime(2025, 11, 30), "dd/mm/yyyy")
    assert (b.value, b.number_format) == (datetime(2025, 11, 30, 14, 5), "dd/mm/yyyy hh:mm")
    assert c.value is None and e.value is None
    assert (d.value, d.data_type) == (12.5, "n")


def test_xlsx_control_characters_do_not_break_the_file():
    ws = read_xlsx(xlsx_bytes([report_sheet(rows=[[1, "Nhà\x0bsố 5", None, None, None]])])).active

    assert ws["B6"].value == "Nhà_x000B_số 5"  # Excel's own escape, which Excel shows as the character


def test_xlsx_to_a_path_and_to_a_write_only_stream_give_the_same_cells(tmp_path):
    class WriteOnly:
        """A response body or pipe: write() and nothing else (no seek, no tell)."""

        def __init__(self):
            self.parts = []

        def write(self, chunk):
            self.parts.append(bytes(chunk))
            return len(chunk)

    path = tmp_path / "biểu 1.xlsx"
    assert write_xlsx(path, [report_sheet()]) == 3
    stream = WriteOnly()
    assert write_xlsx(stream, [report_sheet()]) == 3

    def cells(book):
        """Every cell's value, row by row."""
        return [[c.value for c in row] for row in book.active.iter_rows()]

    assert cells(openpyxl.load_workbook(path)) == cells(read_xlsx(b"".join(stream.parts)))


def test_xlsx_sheet_names_are_cut_cleaned_and_unique():
    long = "Danh sách hộ nghèo: xã [Thất Khê]/thôn * ? \\ năm 2025"
    sheets = [report_sheet(name=long), report_sheet(name=long), report_sheet(name="History")]
    names = read_xlsx(xlsx_bytes(sheets)).sheetnames

    assert len(set(n.lower() for n in names)) == 3
    for name in names:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert names[0].startswith("Danh sách hộ nghèo- xã -Thất Kh")
    assert names[2].lower() != "history"


def test_xlsx_progress_every_thousand_rows_across_sheets_and_rows_from_a_generator():
    seen = []
    rows = lambda n: ([i, f"Hộ {i}", i, i / 3, None] for i in range(n))  # noqa: E731
    written = write_xlsx(io.BytesIO(), [report_sheet(rows=rows(1500)), report_sheet(rows=rows(1700))],
                         progress=seen.append)

    assert written == 3200
    assert seen == [1000, 2000, 3000, 3200]


def test_xlsx_refuses_merges_outside_the_header_or_overlapping():
    with pytest.raises(ValueError, match="outside"):
        write_xlsx(io.BytesIO(), [report_sheet(merges=[(0, 0, 2, 0)])])
    with pytest.raises(ValueError, match="overlap"):
        write_xlsx(io.BytesIO(), [report_sheet(merges=[(0, 0, 1, 0), (1, 0, 1, 1)])])


def test_xlsx_past_excels_row_limit_is_refused_not_cut_and_leaves_no_file(monkeypatch, tmp_path):
    monkeypatch.setattr(writers, "EXCEL_MAX_ROWS", 10)
    out = io.BytesIO()
    with pytest.raises(TooManyRows):
        write_xlsx(out, [report_sheet(rows=[[i, "x", i, 0.0, None] for i in range(6)])])
    with pytest.raises(TooManyRows):
        write_xlsx(tmp_path / "x.xlsx", [report_sheet(rows=[[i, "x", i, 0.0, None] for i in range(6)])])

    assert out.getvalue() == b"" and not (tmp_path / "x.xlsx").exists()
    assert list(tmp_path.iterdir()) == []  # nor its temporary directory
    five = [[i, "x", i, 0.0, None] for i in range(5)]  # rows 6-10 after the title, header and numbering
    assert write_xlsx(io.BytesIO(), [report_sheet(rows=five, notes=())]) == 5


# CSV

def parse_csv(data: bytes) -> list[list[str]]:
    """Read CSV bytes back as Excel would offer them: BOM dropped, quoted newlines kept."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_the_bom_uses_crlf_and_round_trips_vietnamese():
    out = io.BytesIO()
    rows = [["Nguyễn Thị Hường", "Xã Đoàn Kết", 5, 1.5, None], ["Hoàng Văn Sằn", 'dấu "ngoặc", phẩy\nxuống dòng', 0,
                                                                    -2, True]]
    assert write_csv(out, ["Họ và tên", "Xã", "Số nhân khẩu", "Điểm", "Ghi chú"], rows) == 2
    data = out.getvalue()

    assert data[:3] == codecs.BOM_UTF8
    assert data.count(b"\r\n") == 3 and data.endswith(b"\r\n")
    assert parse_csv(data) == [["Họ và tên", "Xã", "Số nhân khẩu", "Điểm", "Ghi chú"],
                               ["Nguyễn Thị Hường", "Xã Đoàn Kết", "5", "1.5", ""],
                               ["Hoàng Văn Sằn", 'dấu "ngoặc", phẩy\nxuống dòng', "0", "-2", "True"]]


@pytest.mark.parametrize("text", ["=1+1", "+84 912 345 678", "-2+3", "@SUM(A1)", "\t=1", "\rx", " =1+1", "\n@x"])
def test_csv_neutralises_every_cell_that_would_start_a_formula(text):
    out = io.BytesIO()
    write_csv(out, ["Ghi chú", "Số"], [[text, -7]])

    assert parse_csv(out.getvalue())[1] == ["'" + text, "-7"]


@pytest.mark.parametrize("value", ["Nguyễn Văn A", "0912 345 678", "a=b", "  thụt lề", "'đã có dấu nháy", ""])
def test_csv_leaves_ordinary_text_as_it_is(value):
    out = io.BytesIO()
    write_csv(out, ["x"], [[value]])

    assert parse_csv(out.getvalue())[1] == [value]


def test_csv_header_is_guarded_too():
    out = io.BytesIO()
    write_csv(out, ["=cmd", "Tên"], [])

    assert parse_csv(out.getvalue()) == [["'=cmd", "Tên"]]


def test_iter_csv_consumes_the_rows_lazily_and_sends_the_bom_first():
    drawn = [0]

    def rows(n):
        for i in range(n):
            drawn[0] = i + 1
            yield [i, f"Hộ số {i}", "Lạng Sơn"]

    chunks = iter_csv(["STT", "Tên", "Tỉnh"], rows(100_000))
    first = next(chunks)
    assert first.startswith(codecs.BOM_UTF8) and drawn[0] == 0  # the header goes out before any row is read
    second = next(chunks)
    assert 0 < drawn[0] < 100_000
    rest = b"".join(chunks)
    assert drawn[0] == 100_000
    assert len(parse_csv(first + second + rest)) == 100_001


def test_write_csv_reports_progress_and_counts():
    seen = []
    assert write_csv(io.BytesIO(), ["a"], ([i] for i in range(2500)), progress=seen.append) == 2500
    assert seen == [1000, 2000, 2500]


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula: a trigger first, or first after whitespace."""
    stripped = text.lstrip()
    return bool(text) and (text[0] in TRIGGERS or bool(stripped) and stripped[0] in "=+-@")


@given(st.text())
def test_guard_formula_never_leaves_a_formula_and_only_ever_adds_the_apostrophe(text):
    out = guard_formula(text)

    assert not starts_formula(out)
    assert out == text or out == "'" + text
    assert (out != text) == starts_formula(text)


@given(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1), st.text())
def test_guard_formula_leaves_text_that_starts_with_a_letter_or_digit(first, rest):
    assert guard_formula(first + rest) == first + rest


@pytest.mark.parametrize("value", [-5, 0, 3.25, None, True, Decimal("-1.5"), date(2025, 1, 1)])
def test_guard_formula_returns_other_values_untouched(value):
    assert guard_formula(value) is value


@given(st.lists(st.lists(st.one_of(st.text(), st.integers(), st.none()), min_size=1, max_size=4), max_size=20))
def test_csv_rows_round_trip_apart_from_the_guard(rows):
    out = io.BytesIO()
    write_csv(out, ["a", "b", "c", "d"], rows)
    expected = [["" if v is None else str(guard_formula(v)) for v in row] for row in rows]

    assert parse_csv(out.getvalue())[1:] == expected


# JSON Lines

def test_jsonl_one_compact_object_a_line_with_vietnamese_and_iso_dates():
    items = [{"household_code": "06100000001", "head": "Lương Văn Pả", "members": 4, "reviewed_on": date(2025, 11, 3),
              "updated_at": datetime(2025, 11, 3, 7, 30), "income": None, "points": Decimal("72.5"),
              "deficits": ["Việc làm", "Bảo hiểm y tế"]},
             {"household_code": "06100000002", "head": "=cmd", "members": 1}]
    out = io.BytesIO()
    assert write_jsonl(out, items) == 2
    data = out.getvalue()

    assert "Lương Văn Pả".encode() in data and b", " not in data and b'": ' not in data
    lines = data.split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3
    assert json.loads(lines[0]) == {**items[0], "reviewed_on": "2025-11-03", "updated_at": "2025-11-03T07:30:00",
                                    "points": 72.5}
    assert json.loads(lines[1]) == items[1]  # JSON is data, not a spreadsheet: no guard


def test_jsonl_refuses_nan_rather_than_write_invalid_json():
    with pytest.raises(ValueError):
        write_jsonl(io.BytesIO(), [{"x": math.nan}])


def test_iter_jsonl_consumes_items_lazily():
    drawn = [0]

    def items(n):
        for i in range(n):
            drawn[0] = i + 1
            yield {"i": i, "tên": "Hộ"}

    chunks = iter_jsonl(items(50_000))
    first = next(chunks)
    assert 0 < drawn[0] < 50_000
    rest = b"".join(chunks)
    assert [json.loads(line)["i"] for line in (first + rest).splitlines()] == list(range(50_000))
