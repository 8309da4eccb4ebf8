"""B1 point tables: loaded from CSV or XLSX with their provenance, validated row by row (b1-points.md)."""
import csv
import re
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

from .errors import PointTableInvalid, RecordInvalid
from .messages import message

KEY_COLUMNS = ("item_code", "item_label", "answer_code", "answer_label")
PROVENANCE_KEYS = ("rule_set", "document", "annex", "loaded_by", "loaded_at")
CODE_RE = re.compile(r"[a-z0-9_]{1,64}")
INT_RE = re.compile(r"[+-]?\d+")


class PointTable:
    """Points per item answer and region column, with where the figures came from."""

    def __init__(self, provenance, regions, rows):
        self.provenance = provenance
        self.rule_set = provenance["rule_set"]
        self.regions = regions
        self.rows = rows  # [{"row", "item_code", "item_label", "answer_code", "answer_label", "points": {region: int}}]
        self._by_region = {}

    def for_region(self, region):
        """Return {item: {answer: points}} for one region column (computed once per region)."""
        table = self._by_region.get(region)
        if table is None:
            table = {}
            for r in self.rows:
                table.setdefault(r["item_code"], {})[r["answer_code"]] = r["points"][region]
            self._by_region[region] = table
        return table

    def score(self, answers, region, path="income.b1_items"):
        """Return the B1 total of the answers in a region; unknown, missing or unscored answers raise RecordInvalid."""
        if region not in self.regions:
            raise RecordInvalid([{"path": path, "message": message("b1_region_missing", region=region)}])
        table, errors, total = self.for_region(region), [], 0
        for item in answers:
            if item not in table:
                errors.append({"path": f"{path}.{item}", "message": message("b1_item_unknown")})
        for item, points in table.items():
            answer = answers.get(item)
            if answer is None:
                errors.append({"path": f"{path}.{item}", "message": message("b1_item_missing")})
            elif answer not in points:
                errors.append({"path": f"{path}.{item}", "message": message("b1_answer_unknown", answer=answer)})
            else:
                total += points[answer]
        if errors:
            raise RecordInvalid(errors)
        return total


def load_point_table(path, *, provenance=None, rule_set=None):
    """Load a B1 point table (CSV or XLSX) with its provenance; a bad one raises PointTableInvalid naming rows."""
    # Provenance: "# key: value" lines above the header (XLSX: a "provenance" sheet), then the argument. With
    # rule_set, the table must belong to it and have a column for each region it uses (b1-points.md).
    path = Path(path)
    try:
        lines, found = (_xlsx_rows if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows)(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise PointTableInvalid([_err(0, "", "table_unreadable", detail=str(e))]) from None
    found.update(provenance or {})
    errors = [_err(0, key, "provenance_missing", key=key) for key in PROVENANCE_KEYS if not _text(found.get(key))]
    if _text(found.get("loaded_at")) and not _is_time(_text(found["loaded_at"])):
        errors.append(_err(0, "loaded_at", "invalid_datetime"))
    header_row, header, body = _split_header(lines)
    if header is None:
        raise PointTableInvalid(errors + [_err(0, "", "table_empty")])
    errors += [_err(header_row, c, "missing_column", column=c) for c in KEY_COLUMNS if c not in header]
    errors += [_err(header_row, c, "duplicate_value", value=c) for i, c in enumerate(header) if c and c in header[:i]]
    regions = tuple(dict.fromkeys(c for c in header if c and c not in KEY_COLUMNS))
    if not regions:
        errors.append(_err(header_row, "", "no_region_columns"))
    if rule_set is not None:
        errors += _rule_set_errors(rule_set, found, regions, header_row)
    if errors:
        raise PointTableInvalid(errors)
    rows = _read_rows(body, header, regions)
    if not rows:
        raise PointTableInvalid([_err(0, "", "table_empty")])
    return PointTable({k: _text(v) for k, v in found.items()} | {"file": path.name}, regions, rows)


def _err(row, column, code, /, **params):
    """One point-table error."""
    return {"row": row, "column": column, "message": message(code, **params)}


def _is_time(text):
    """Return True for an ISO 8601 date or date-time."""
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _text(value):
    """A cell as NFC text ('' for empty)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def _csv_rows(path):
    """Return ([(line number, cells)], provenance) from a CSV file (UTF-8, BOM allowed)."""
    rows, found = [], {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        for cells in reader:
            rows.append((reader.line_num, cells))
    return _take_provenance(rows, found), found


def _xlsx_rows(path):
    """Return ([(row number, cells)], provenance) from the first sheet (or "points") of a workbook."""
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        found = {}
        if "provenance" in wb.sheetnames:
            for cells in wb["provenance"].iter_rows(values_only=True):
                if cells and _text(cells[0]):
                    found[_text(cells[0])] = _text(cells[1] if len(cells) > 1 else "")
        sheet = wb["points"] if "points" in wb.sheetnames else wb.worksheets[0]
        rows = [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()
    return _take_provenance(rows, found), found


def _take_provenance(rows, found):
    """Move leading "# key: value" rows into `found`; return the remaining rows."""
    out = []
    for n, cells in rows:
        first = _text(cells[0]) if cells else ""
        if not out and first.startswith("#"):
            key, _, value = first[1:].partition(":")
            if key.strip():
                found[key.strip()] = value.strip()
            continue
        out.append((n, cells))
    return out


def _split_header(lines):
    """Return (header row number, column names, body rows), skipping blank rows before the header."""
    for i, (n, cells) in enumerate(lines):
        names = [_text(c) for c in cells]
        if any(names):
            return n, names, lines[i + 1:]
    return 0, None, []


def _rule_set_errors(rule_set, found, regions, header_row):
    """Check that a table belongs to the rule set and covers each region column the rule set uses."""
    errors = []
    if found.get("rule_set") and str(found["rule_set"]).strip() != rule_set.name:
        errors.append(_err(0, "rule_set", "b1_table_rule_set", table=found["rule_set"], rule_set=rule_set.name))
    used = set(rule_set.b1_rural_regions.values()) | {rule_set.b1_urban_region}
    errors += [_err(header_row, r, "b1_region_missing", region=r) for r in sorted(used - set(regions))]
    return errors


def _points(value):
    """A cell as whole points, or raise ValueError."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and INT_RE.fullmatch(value.strip()):
        return int(value)
    raise ValueError


def _read_rows(body, header, regions):
    """Validate every body row; raise PointTableInvalid listing each bad cell."""
    col = {name: i for i, name in enumerate(header) if name}
    errors, rows, first_seen = [], [], {}
    for n, cells in body:
        cells = list(cells) + [None] * (len(header) - len(cells))
        if not any(_text(c) for c in cells):
            continue
        row = {"row": n, **{k: _text(cells[col[k]]) for k in KEY_COLUMNS}, "points": {}}
        for k in ("item_code", "answer_code"):
            if not CODE_RE.fullmatch(row[k]):
                errors.append(_err(n, k, "invalid_code") if row[k] else _err(n, k, "required"))
        for region in regions:
            raw = cells[col[region]]
            if _text(raw) == "":
                errors.append(_err(n, region, "points_missing"))
                continue
            try:
                row["points"][region] = _points(raw)
            except ValueError:
                errors.append(_err(n, region, "points_not_integer", value=_text(raw)))
        key = (row["item_code"], row["answer_code"])
        if key in first_seen:
            errors.append(_err(n, "answer_code", "duplicate_answer", item=key[0], answer=key[1],
                               first_row=first_seen[key]))
        first_seen.setdefault(key, n)
        rows.append(row)
    if errors:
        raise PointTableInvalid(errors)
    return rows
