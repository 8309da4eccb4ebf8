"""The rule sets as the phone's rule engine reads them: one JSON document per rule set, with everything it needs.

`document(name, province)` returns `(body, etag)`: the rule file as loaded (`config/rules/<name>.json`), the Phiếu A
definition it names (`config/rules/quick-screen/<version>.json`), the B1 point tables loaded for it, and the facts
of the installation's communes that the engine would otherwise take from `vietnam_provinces` (its division type,
which gives the area, and its province, which gives the rural B1 region column). The ETag is derived from the
content, so a corrected rule file gives a new ETag at once. Law, no personal data: served to anyone.

**B1 point tables** (b1-points.md §1-2): none is shipped (the official values are unknown to the project). An
administrator who has the official table of a rule set puts it at `config/rules/b1-points/<rule set>.csv` (or
`.xlsx`), in the format of config/rules/README.md ("Loading the official B1 point table"); `point_table(rule_set)`
loads it (checked against the rule set, re-read when the file changes) and the document then lists it in
`point_tables`, and ingest and re-classification score `income.b1_items` with it (`classify_with_point_table`).
Pure: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from functools import cache
from pathlib import Path

from vietnam_provinces import ProvinceCode, Ward

from server.poverty import PointTableInvalid, classify, load_point_table, load_rule_set, rule_set_names
from server.poverty.classify import AREA_VI
from server.poverty.codes import RULES_DIR
from server.poverty.messages import CATALOGUE
from server.poverty.validate import resolve_rule_set

log = logging.getLogger("rasoat")
B1_POINTS_DIR = RULES_DIR / "b1-points"
POINT_TABLE_SUFFIXES = (".csv", ".xlsx")
# Like the rule files, a point table is re-checked against its file at most once a second.
RECHECK_SECONDS = 1.0
# The message codes the phone's engine words its notes and errors with (the server's own words, one catalogue).
MESSAGE_CODES = (
    "rule_set_provisional", "rule_set_not_of_year", "area_differs_from_commune", "quick_screen_stopped",
    "quick_screen_should_stop", "quick_screen_should_continue", "points_cannot_decide_middle",
    "middle_band_not_loaded", "malnutrition_not_answered", "school_level_not_answered",
    "required", "invalid_choice", "invalid_date", "invalid_datetime", "birth_missing", "annual_income_missing",
    "answer_required_by_rule_set", "unknown_quick_screen_item", "area_unknown", "b1_no_threshold",
    "b1_points_missing", "b1_points_disagree", "b1_item_unknown", "b1_answer_unknown", "b1_item_missing",
    "b1_region_missing", "b1_no_region", "b1_table_rule_set",
)
_tables: dict[tuple, tuple] = {}  # (directory, rule set name) -> (checked_at, file stamp, PointTable | None, RuleSet)
_documents: dict[tuple, tuple] = {}  # (name, province) -> (RuleSet, PointTable | None, body, etag)


class UnknownRuleSet(LookupError):
    """No rule file of that name in config/rules/."""


def point_table_path(name: str, directory: Path | None = None) -> Path | None:
    """The point table file of a rule set, if an administrator has put one in config/rules/b1-points/."""
    for suffix in POINT_TABLE_SUFFIXES:
        path = Path(directory or B1_POINTS_DIR) / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def point_table(rule_set, directory: Path | None = None):
    """The loaded B1 point table of a rule set, or None (none put in place, or a broken one: see `_load`)."""
    directory = Path(directory or B1_POINTS_DIR)
    key = (str(directory), rule_set.name)
    now = time.monotonic()
    hit = _tables.get(key)
    if hit is not None and now - hit[0] < RECHECK_SECONDS and hit[3] is rule_set:
        return hit[2]
    path = point_table_path(rule_set.name, directory)
    stamp = (str(path), path.stat().st_mtime_ns) if path else None
    if hit is not None and hit[1] == stamp and hit[3] is rule_set:
        table = hit[2]
    else:
        table = _load(path, rule_set) if path else None
    _tables[key] = (now, stamp, table, rule_set)
    return table


def _load(path: Path, rule_set):
    """Load a table; a broken one is logged with every bad row and not used (as if none were loaded) until it is
    fixed, so a slip in the file does not stop every phone's sync: the phones then ask the B1 total."""
    try:
        return load_point_table(path, rule_set=rule_set)
    except PointTableInvalid as e:
        log.error("B1 point table %s refused, not used until fixed: %s", path, e)
        return None


def classify_with_point_table(record: dict, rule_set=None) -> dict:
    """classify() with the B1 point table loaded for the rule set (the record's year's, or the one named), so the
    server recomputes B1 from `income.b1_items` as the phone does (b1-points.md §2); RecordInvalid as classify."""
    rule_set = resolve_rule_set(record, rule_set)
    return classify(record, rule_set, point_table=point_table(rule_set))


@cache
def communes(province: str) -> dict[str, dict[str, str]]:
    """{commune code: {"division_type": "xã" | "phường" | …, "province": "20"}} for one province."""
    out = {}
    for ward in Ward.iter_by_province(ProvinceCode(int(province))):
        out[f"{int(ward.code):05d}"] = {"division_type": ward.division_type.value, "province": f"{int(province):02d}"}
    return dict(sorted(out.items()))


@cache
def messages() -> dict[str, dict[str, str]]:
    """{code: {"vi", "en"}} templates ({name} fields) of the notes and errors the phone's engine gives."""
    return {code: {"vi": CATALOGUE[code][0], "en": CATALOGUE[code][1]} for code in MESSAGE_CODES}


def table_json(table) -> dict:
    """A point table as the phone reads it: its provenance (without the name of the officer who loaded it: the
    document is public), region columns and rows."""
    provenance = {k: v for k, v in table.provenance.items() if k != "loaded_by"}
    return {"rule_set": table.rule_set, "provenance": provenance, "regions": list(table.regions),
            "rows": [{k: r[k] for k in ("item_code", "item_label", "answer_code", "answer_label", "points")}
                     for r in table.rows]}


def listing() -> list[dict]:
    """The rule sets with the review years each applies to: [{"name", "title", "review_years", "provisional"}]."""
    out = []
    for name in rule_set_names():
        rule_set = load_rule_set(name)
        out.append({"name": name, "title": rule_set.title,
                    "review_years": list(range(rule_set.first_year, rule_set.last_year + 1)),
                    "provisional": rule_set.provisional})
    return out


def document(name: str, province: str) -> tuple[dict, str]:
    """The JSON document of one rule set and its ETag; an unknown name raises UnknownRuleSet."""
    if name not in rule_set_names():
        raise UnknownRuleSet(name)
    rule_set = load_rule_set(name)  # a new object whenever its file or its Phiếu A file changed
    table = point_table(rule_set)
    hit = _documents.get((name, province))
    if hit is None or hit[0] is not rule_set or hit[1] is not table:
        body = {"name": rule_set.name, "rule_set": rule_set.data, "quick_screen": rule_set.quick_screen.data,
                "point_tables": [table_json(table)] if table is not None else [],
                "communes": communes(province), "messages": messages(),
                "area_labels": {area: {"vi": vi, "en": area} for area, vi in AREA_VI.items()}}
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        hit = _documents[(name, province)] = (rule_set, table, body, hashlib.sha256(text.encode()).hexdigest()[:32])
    return hit[2], hit[3]
