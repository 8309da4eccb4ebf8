"""Reading an uploaded CSV as people and Excel write it, with errors that name the row and the column.

Rows are numbered as a spreadsheet numbers them: the header is row 1, and a blank line still counts as a row, so
the number in an error is the one the person sees in Excel or LibreOffice.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from server.core.errors import Problem, field_error

# Larger than any commune's households or persons, and within a 32-bit integer column.
MAX_COUNT = 10_000_000
WHOLE_NUMBER = re.compile(r"^[0-9]+$")
_TRUE = {"1", "true", "yes", "x", "có", "co", "c"}
_FALSE = {"0", "false", "no", "không", "khong", "k"}


class RowErrors:
    """Collects errors naming the row and the column, in Vietnamese and English."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, row: int, column: str, vi: str, en: str) -> None:
        """Record that `column` of `row` is wrong, and why."""
        self.items.append(field_error(f"row {row}, {column}", f"Dòng {row}, cột {column}: {vi}",
                                      f"Row {row}, column {column}: {en}"))

    def raise_if_any(self) -> None:
        """Refuse the whole file if any error was recorded."""
        if self.items:
            raise Problem("import_invalid", fields=self.items)


@dataclass
class CsvFile:
    """A decoded CSV: its header, its non-blank rows with their row numbers, and the errors found so far."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    errors: RowErrors = field(default_factory=RowErrors)
    # Whether a column whose header cell is empty holds a value in some row.
    unnamed_has_data: bool = False


def read_csv(data: bytes | str) -> CsvFile:
    """Decode a CSV (UTF-8 with or without BOM; comma or semicolon; CRLF or LF) into header and rows.

    Rows with only empty cells are skipped (spreadsheets leave them). A row with more filled cells than the header
    has columns is an error: it usually means an unquoted separator inside a name shifted the columns."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Problem("import_invalid", fields=[field_error(
                "file", "Tệp phải là CSV mã hoá UTF-8.", "The file must be a CSV encoded in UTF-8.")]) from None
    data = data.lstrip("\ufeff")
    first = data.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    records = list(enumerate(csv.reader(io.StringIO(data, newline=""), delimiter=delimiter), start=1))
    header_cells = records[0][1] if records else []
    out = CsvFile(header=[h.strip() for h in header_cells], rows=[])
    width = len(out.header)
    unnamed = [i for i, h in enumerate(out.header) if not h]
    for n, cells in records[1:]:
        if not any(c.strip() for c in cells):
            continue
        out.unnamed_has_data |= any(i < len(cells) and cells[i].strip() for i in unnamed)
        if any(c.strip() for c in cells[width:]):
            out.errors.add(n, "(extra)", f"dòng có nhiều ô hơn tiêu đề ({width} cột); tên có dấu phân cách "
                           "phải đặt trong ngoặc kép.",
                           f"the row has more cells than the header ({width} columns); a name holding the "
                           "separator must be quoted.")
        out.rows.append((n, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(out.header)
                             if h}))
    return out


def check_header(file: CsvFile, required: tuple[str, ...], allowed) -> None:
    """Refuse a header that lacks a required column, repeats one, or has an unknown one (`allowed(name)`).

    A column without a name is accepted only while it is empty everywhere (a trailing separator)."""
    errors = RowErrors()
    for col in required:
        if col not in file.header:
            errors.add(1, col, "thiếu cột bắt buộc.", "required column is missing.")
    seen = set()
    for col in file.header:
        if not col:
            continue
        if col in seen:
            errors.add(1, col, "cột lặp lại.", "the column appears twice.")
        elif col not in required and not allowed(col):
            errors.add(1, col, "cột không được biết.", "unknown column.")
        seen.add(col)
    if file.unnamed_has_data:
        errors.add(1, "(empty)", "cột trống tên mà có dữ liệu.", "an empty column header but the column holds data.")
    errors.raise_if_any()


def parse_bool(value: str) -> bool | None:
    """'1'/'có'/'true' → True, '0'/'không'/'false' → False, '' → None; anything else raises ValueError."""
    v = (value or "").strip().lower()
    if not v:
        return None
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(value)


def parse_date(value: str, default: date | None) -> date | None:
    """An ISO date (YYYY-MM-DD), or the default when empty; raises ValueError otherwise."""
    v = (value or "").strip()
    if not v:
        return default
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise ValueError(v)
    return date.fromisoformat(v)


def parse_count(value: str) -> int:
    """A whole number from 0 to MAX_COUNT; raises ValueError otherwise."""
    v = (value or "").strip()
    if not WHOLE_NUMBER.match(v) or int(v) > MAX_COUNT:
        raise ValueError(v)
    return int(v)


def commune_code(value: str) -> str:
    """A commune code as typed, with the leading zeros Excel drops put back ('6529' → '06529')."""
    v = (value or "").strip()
    return v.zfill(5) if v.isdigit() and len(v) < 5 else v
