"""Pure export writers: XLSX in constant memory, CSV (UTF-8 with BOM, formula guard) and JSON Lines, all streamed.

Nothing here knows Flask, SQLAlchemy or the rest of server/ (as Kobo's formpack): a writer takes rows (any
iterable, usually a generator over a query) and a binary file or path, so the report tables, the household lists,
the command, the background jobs and bench/export.py all use the same code, and it is tested without a server.

Why XlsxWriter, not openpyxl's write-only mode (issue 13 item 6). Measured 2026-12-01 on this project's 2-core
machine (quiet: load average under 1), 200,000 household-list rows × 15 columns (Vietnamese text, int, float,
None), each writer in a fresh process, generation of the rows included (0.09 s of it):

    library, mode                                      rows/s    peak RSS   file
    openpyxl 3.1.5 write-only, ws.append(row)          11,304    31.2 MB    17.6 MB
    XlsxWriter 3.3.1 constant_memory, write_row        15,920    29.4 MB    16.9 MB
    openpyxl write-only, typed (number formats; "=…"
        strings as WriteOnlyCell with data_type "s")     9,093    31.3 MB    18.0 MB
    XlsxWriter constant_memory, typed write_string /
        write_number with per-column formats            17,108    29.7 MB    17.6 MB

(the process alone, generating and dropping the rows: 20.0 MB). Memory is flat for both; XlsxWriter writes the
typed cells we need 1.9× faster than openpyxl, escapes control characters itself (openpyxl raises
IllegalCharacterError on a pasted \\x0b), and with strings_to_formulas off never turns text into a formula. Its
one limit in constant_memory mode: merge_range() writes padding into the next rows, which flushes the current
row, so two vertical merges starting in one header row cannot both be written; see _write_header_block.

Cells: a str is always a string (a name "=HYPERLINK(...)" or a phone "+84..." stays text, in XLSX and, guarded,
in CSV); int, float, Decimal are numbers (NaN and infinity become empty cells); bool a boolean; date and datetime
a date (column format, or dd/mm/yyyy [hh:mm]; a timezone-aware datetime is written as its own wall-clock time:
convert to Vietnam's time first); None and "" an empty cell; anything else its str(). There are no formulas anywhere.
Text past Excel's 32,767 characters a cell is cut there by XlsxWriter; a sheet past 1,048,576 rows is refused
(TooManyRows) rather than cut. bench/export.py times these writers against the bare libraries (bench/README.md).
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import math
import numbers
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator

import xlsxwriter

PROGRESS_EVERY = 1_000
CHUNK_BYTES = 64 * 1024
EXCEL_MAX_ROWS = 1_048_576
SHEET_NAME_MAX = 31
# Characters Excel refuses in a sheet name; a name may not start or end with an apostrophe either.
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
# The first characters that make a spreadsheet read a CSV cell as a formula (OWASP, CSV injection).
FORMULA_START = frozenset("=+-@\t\r")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


class TooManyRows(ValueError):
    """A sheet would pass Excel's 1,048,576 rows: the export should be CSV or JSON Lines, or cut by unit."""


@dataclass
class Sheet:
    """One worksheet: title lines, a header block (with merges), the official numbering row, data rows, notes."""

    name: str
    columns: int
    title: list[str]
    header: list[list[str | None]]
    merges: list[tuple[int, int, int, int]] = ()
    numbers: list[str] | None = None
    rows: Iterable[list] = ()
    formats: list[str | None] | None = None
    widths: list[float] | None = None
    bold_rows: Callable[[list], bool] | None = None
    notes: list[str] = ()


def sheet_name(name: str, used: set[str]) -> str:
    """Return a name Excel accepts: refused characters replaced, at most 31 characters, unique in the workbook."""
    base = SHEET_NAME_BAD.sub("-", name or "").strip("'").strip() or "Sheet"
    if base.lower() == "history":  # reserved by Excel
        base += " 1"
    candidate, n = base[:SHEET_NAME_MAX].rstrip(), 1
    while candidate.lower() in used:
        n += 1
        suffix = f" ({n})"
        candidate = base[:SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    used.add(candidate.lower())
    return candidate


def write_xlsx(out, sheets: Iterable[Sheet], *, progress: Callable[[int], None] | None = None) -> int:
    """Write the sheets to `out`, a path or a binary file (need not seek); return the data rows written.

    The workbook is made in a temporary directory (beside a path, so that it replaces the path in one rename; a
    file gets it copied in chunks), so a failed export leaves no half-written file and readers never see one.
    """
    to_path = isinstance(out, (str, os.PathLike))
    parent = os.path.dirname(os.path.abspath(os.fspath(out))) if to_path else None
    with tempfile.TemporaryDirectory(prefix=".rasoat-xlsx-", dir=parent) as tmp:
        path = os.path.join(tmp, "export.xlsx")
        written = _write_workbook(path, sheets, progress, tmp)
        if to_path:
            os.replace(path, out)
        else:
            with open(path, "rb") as f:
                shutil.copyfileobj(f, out, CHUNK_BYTES)
    return written


def _write_workbook(path: str, sheets: Iterable[Sheet], progress, tmpdir) -> int:
    """Write the workbook at `path` in constant memory (one row held at a time); return the data rows."""
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False, "remove_timezone": True, "tmpdir": tmpdir}
    book = xlsxwriter.Workbook(path, options)
    styles = _Styles(book)
    used: set[str] = set()
    total = [0]
    try:
        for sheet in sheets:
            _write_sheet(book, styles, sheet, sheet_name(sheet.name, used), progress, total)
    except BaseException:
        with contextlib.suppress(Exception):
            book.close()  # releases the row files; the half-made workbook goes with the temporary directory
        raise
    book.close()
    if progress and total[0] % PROGRESS_EVERY:
        progress(total[0])
    return total[0]


class _Styles:
    """The workbook's cell formats, made once per kind (XlsxWriter keeps one format object per style)."""

    def __init__(self, book):
        self.book = book
        self.cache: dict[tuple, Any] = {}

    def get(self, **props):
        """Return the format with these properties, made the first time it is asked for."""
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format(props)
        return self.cache[key]


def _write_sheet(book, styles: _Styles, sheet: Sheet, name: str, progress, total: list[int]) -> None:
    """Write one worksheet: page setup, title, header block, numbering row (all repeated in print), rows, notes."""
    ws = book.add_worksheet(name)
    ncol = max(sheet.columns, 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    for col, width in enumerate(sheet.widths or ()):
        if width is not None:
            ws.set_column(col, col, width)

    row = 0
    for i, line in enumerate(sheet.title):
        style = styles.get(bold=i == 0, align="center", valign="vcenter", font_size=13 if i == 0 else 11)
        if ncol > 1:
            ws.merge_range(row, 0, row, ncol - 1, line, style)
        else:
            ws.write_string(row, 0, line, style)
        row += 1

    head = styles.get(bold=True, align="center", valign="vcenter", text_wrap=True, border=1)
    _write_header_block(ws, row, ncol, sheet.header, sheet.merges, head)
    row += len(sheet.header)
    if sheet.numbers is not None:
        numbering = styles.get(italic=True, align="center", valign="vcenter", border=1)
        for col in range(ncol):
            value = sheet.numbers[col] if col < len(sheet.numbers) else None
            if value:
                ws.write_string(row, col, str(value), numbering)
            else:
                ws.write_blank(row, col, None, numbering)
        row += 1
    if row:
        ws.repeat_rows(0, row - 1)
        ws.freeze_panes(row, 0)

    row = _write_data(ws, styles, sheet, row, progress, total)
    for line in sheet.notes:
        row += 1  # one empty row before the notes, then one line each
        if row >= EXCEL_MAX_ROWS:
            raise TooManyRows(f"sheet {name!r}: the notes pass Excel's {EXCEL_MAX_ROWS:,} rows")
        ws.write_string(row, 0, line, styles.get(italic=True))


def _write_header_block(ws, first: int, ncol: int, header, merges, style) -> None:
    """Write the header rows cell by cell in row order, then declare the merged areas.

    merge_range() cannot be used here: in constant_memory mode it pads the merged area's lower rows at once, which
    flushes the current row, so the second vertical merge of a header row would be dropped. Writing every cell in
    order (the merged area's first cell with its text, the others as bordered blanks) and appending the areas to
    the worksheet's `merge` list (what merge_range itself does) gives the same XML; tests read the merges back.
    """
    covered = {}
    for r0, c0, r1, c1 in merges:
        if not (0 <= r0 <= r1 < len(header) and 0 <= c0 <= c1 < ncol):
            raise ValueError(f"merge {(r0, c0, r1, c1)} is outside the header block "
                             f"({len(header)} rows × {ncol} columns)")
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) in covered:
                    raise ValueError(f"merges {covered[(r, c)]} and {(r0, c0, r1, c1)} overlap")
                covered[(r, c)] = (r0, c0, r1, c1)
    for r, cells in enumerate(header):
        for c in range(ncol):
            value = cells[c] if c < len(cells) else None
            area = covered.get((r, c))
            if area and (r, c) != area[:2]:
                value = None
            if value is None or value == "":
                ws.write_blank(first + r, c, None, style)
            else:
                ws.write_string(first + r, c, str(value), style)
    for r0, c0, r1, c1 in merges:
        if (r0, c0) != (r1, c1):
            ws.merge.append([first + r0, c0, first + r1, c1])


def _write_data(ws, styles: _Styles, sheet: Sheet, row: int, progress, total: list[int]) -> int:
    """Stream the data rows; return the next free row. The loop is the hot path: locals, no per-cell calls."""
    ncol = max(sheet.columns, 1)
    formats = list(sheet.formats or ())
    formats += [None] * (ncol - len(formats))

    def cell_styles(bold):
        """One bordered format per column, with its number format."""
        return [styles.get(border=1, bold=bold, **({"num_format": f} if f else {})) for f in formats]

    plain, bold = cell_styles(False), cell_styles(True)
    dates = {b: [styles.get(border=1, bold=b, num_format=f or DATE_FORMAT) for f in formats] for b in (False, True)}
    stamps = {b: [styles.get(border=1, bold=b, num_format=f or DATETIME_FORMAT) for f in formats]
              for b in (False, True)}
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    is_bold = sheet.bold_rows
    count = total[0]
    for values in sheet.rows:
        if row >= EXCEL_MAX_ROWS:
            raise TooManyRows(f"sheet {ws.name!r} passes Excel's {EXCEL_MAX_ROWS:,} rows")
        b = bool(is_bold and is_bold(values))
        fmt = bold if b else plain
        for col, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if value:
                    write_string(row, col, value, fmt[col] if col < ncol else None)
                elif col < ncol:  # "" is an empty cell, as None (not a string COUNTA would count)
                    write_blank(row, col, None, fmt[col])
            elif kind is int or kind is float:
                if kind is float and not math.isfinite(value):
                    write_blank(row, col, None, fmt[col] if col < ncol else None)
                else:
                    write_number(row, col, value, fmt[col] if col < ncol else None)
            elif value is None:
                if col < ncol:
                    write_blank(row, col, None, fmt[col])
            else:
                _write_other(ws, row, col, value, fmt, dates[b], stamps[b], ncol)
        for col in range(len(values), ncol):
            write_blank(row, col, None, fmt[col])
        row += 1
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    total[0] = count
    return row


def _write_other(ws, row, col, value, fmt, date_fmt, stamp_fmt, ncol) -> None:
    """The rarer cell types: bool, date, datetime, Decimal and other numbers, anything else as its text."""
    style = fmt[col] if col < ncol else None
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, style)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value, stamp_fmt[col] if col < ncol else None)
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, date_fmt[col] if col < ncol else None)
    elif isinstance(value, numbers.Number) and not isinstance(value, complex):
        number = float(value)
        if math.isfinite(number):
            ws.write_number(row, col, number, style)
        else:
            ws.write_blank(row, col, None, style)
    else:
        ws.write_string(row, col, str(value), style)


def guard_formula(value):
    """Return a CSV cell that no spreadsheet reads as a formula: text starting one gets a leading apostrophe.

    A str is guarded when its first character is = + - @ tab or CR (OWASP's list), and also when its first
    character after leading whitespace is one of = + - @, since some spreadsheets trim the cell before reading it
    (" =1+1"). The apostrophe is what Excel itself uses to mark text; it is visible in the cell, and the rest of
    the text is unchanged. Numbers and everything else are returned as they are (a negative int is no formula).
    """
    if isinstance(value, str) and value:
        first = value[0]
        if first in FORMULA_START:
            return "'" + value
        if first.isspace():
            rest = value.lstrip()
            if rest and rest[0] in FORMULA_START:
                return "'" + value
    return value


def iter_csv(header: list[str], rows: Iterable[list], *, progress: Callable[[int], None] | None = None
             ) -> Iterator[bytes]:
    """Yield the CSV in chunks of about 64 KiB: the BOM and the header line first, then the rows as they come."""
    return _csv_chunks(header, rows, progress, [0])


def _csv_chunks(header, rows, progress, tally) -> Iterator[bytes]:
    """Yield the CSV's bytes; tally[0] holds the rows written so far (for write_csv's count)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([guard_formula(v) for v in header])
    yield codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")
    buf.seek(0)
    buf.truncate()
    starts = FORMULA_START
    count = 0
    for values in rows:
        # guard_formula inlined: the common cell (text starting with a letter, or a number) costs two tests.
        writer.writerow([
            ("'" + v if v[0] in starts or (v[0].isspace() and v.lstrip()[:1] in starts) else v)
            if type(v) is str and v else v if not isinstance(v, str) else guard_formula(v)
            for v in values])
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
        if buf.tell() >= CHUNK_BYTES:
            tally[0] = count
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    tally[0] = count
    if buf.tell():
        yield buf.getvalue().encode("utf-8")
    if progress and count % PROGRESS_EVERY:
        progress(count)


def write_csv(out, header: list[str], rows: Iterable[list], *, progress: Callable[[int], None] | None = None) -> int:
    """Write the CSV (UTF-8 with a BOM, CRLF, formula-guarded text) to a binary file; return the rows written."""
    tally = [0]
    for chunk in _csv_chunks(header, rows, progress, tally):
        out.write(chunk)
    return tally[0]


def _json_default(value):
    """Encode what json cannot: dates and times in ISO 8601, Decimal as a number, UUID as text, sets as lists."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def iter_jsonl(items: Iterable[dict], *, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """Yield JSON Lines in chunks of about 64 KiB: one compact object a line, UTF-8, dates in ISO 8601."""
    return _jsonl_chunks(items, progress, [0])


def _jsonl_chunks(items, progress, tally) -> Iterator[bytes]:
    """Yield the JSON Lines' bytes; tally[0] holds the items written so far."""
    # allow_nan=False: a NaN would make the line invalid JSON for the provincial system, so it fails loudly.
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default,
                              allow_nan=False).encode
    lines: list[str] = []
    size = count = 0
    for item in items:
        line = encode(item)
        lines.append(line)
        size += len(line) + 1
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
        if size >= CHUNK_BYTES:
            tally[0] = count
            lines.append("")
            yield "\n".join(lines).encode("utf-8")
            lines, size = [], 0
    tally[0] = count
    if lines:
        lines.append("")
        yield "\n".join(lines).encode("utf-8")
    if progress and count % PROGRESS_EVERY:
        progress(count)


def write_jsonl(out, items: Iterable[dict], *, progress: Callable[[int], None] | None = None) -> int:
    """Write JSON Lines to a binary file; return the items written."""
    tally = [0]
    for chunk in _jsonl_chunks(items, progress, tally):
        out.write(chunk)
    return tally[0]
