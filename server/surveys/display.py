"""A household or village record as people read it: labelled answers by section, and the changes between versions.

Pure: no Flask, no database. Every label comes from forms/<kind>/labels.json (read by labels.py), the kind being
the record's: a village record ("kind": "village") reads forms/village/labels.json, any other record
forms/household/labels.json (ethnic groups from config/rules/ethnic-groups.json, Phiếu A items from the form
definition of the record's review year; the common words Có/Không… from the household labels).

    answers(record, "vi") -> [{"key", "title", "rows": [{"path", "label", "value"[, "not_asked": True]}],
                               "blocks": [{"key", "title", "rows"}]}]   (blocks: one per member, else [])
    diff(old, new, "vi")  -> [{"path", "label", "old", "new"}]

Paths are those of RecordInvalid errors (`members[0]` is the first member of the list), so an error and a row
can be matched. Values are text: codes as labels, Có/Không, DD/MM/YYYY, 12.000.000 đ, 55,5%, "—" when absent. A
time with an offset is shown in Vietnam's time (DD/MM/YYYY HH:MM), as the rest of the pages show times, whatever
zone the phone's clock was set to; one without an offset as it was written.
"""
import json
import re
from datetime import date, datetime
from functools import cache

from server.poverty import RuleSetError, rule_set_for_year
from server.poverty.codes import RULES_DIR
from server.poverty.schema import PHIEU_B_MEMBER, PHIEU_B_RECORD, recorded_stopped
from server.surveys.expressions import LOCAL_ZONE
from server.surveys.labels import KINDS, labels

MISSING = "—"
# What a household Phiếu A stopped was not asked (the form's sections after Phiếu A; the roster's identity is asked).
PHIEU_B_RECORD_KEYS = (*PHIEU_B_RECORD, "waste_handling", "flags", "poverty_causes", "support_needs")
PHIEU_B_MEMBER_KEYS = (*PHIEU_B_MEMBER, "school_level", "malnutrition", "pension", "social_allowance")
# Kept between versions of one household but always different: never reported as a change.
NOT_COMPARED = ("id", "supersedes")
# Keys with parts that are shown as one value: B1 answers (labelled by a point table, not here) and photos.
SHOWN_WHOLE = ("income.b1_items", "attachments")
# How a value that is not a code, a yes/no or a list is written.
FORMATS = {
    "interview.started_at": "datetime",
    "interview.ended_at": "datetime",
    "interview.gps.accuracy_m": "metres",
    "income.annual_income_vnd": "vnd",
    "members.birth_date": "date",
    "housing.floor_area_m2": "square_metres",
    # The village record's figures.
    "facts.households_off_grid": "number",
    "facts.dtts_people_15_60": "number",
    "facts.dtts_people_15_60_illiterate": "number",
    "facts.workers": "number",
    "facts.workers_untrained": "number",
    "facts.road_unpaved_pct": "percent",
    "facts.area_high_or_steep_pct": "percent",
    "facts.village_roads_hardened_pct": "percent",
    "facts.road_km_from_district_centre": "kilometres",
}
# What follows a number written with a unit.
UNITS = {"metres": " m", "square_metres": " m²", "kilometres": " km", "percent": "%"}
INDEX_RE = re.compile(r"\[\d+\]")
# A member's answer: members[2].schooling (the third member of the list).
MEMBER_PATH_RE = re.compile(r"members\[(\d+)\]\..+")


def kind_of(record):
    """Return which labels read a record: "village" for a village record, else "household"."""
    return "village" if isinstance(record, dict) and record.get("kind") == "village" else "household"


@cache
def ethnic_group_names():
    """Return ethnic-group code -> name, read once from config/rules/ethnic-groups.json."""
    with open(RULES_DIR / "ethnic-groups.json", encoding="utf-8") as f:
        return {g["code"]: g["name"] for g in json.load(f)["groups"]}


@cache
def _children(kind="household"):
    """Return parent key -> its child names in the labels' order ("" is the record itself)."""
    out = {}
    for key in labels(kind)["keys"]:
        parent, _, name = key.rpartition(".")
        out.setdefault(parent, []).append(name)
    return out


def label(path, lang="vi", kind=None):
    """Return the label of a key path (list indexes ignored: members[2].sex is members.sex), or the path itself."""
    # Without a kind (a comment's path, say, comes without its record) each kind's labels are tried in turn.
    key = INDEX_RE.sub("", path)
    for k in (kind,) if kind else KINDS:
        entry = labels(k)["keys"].get(key)
        if entry:
            return entry[lang]
    return path


def path_label(path, lang="vi", kind=None):
    """Return an answer's path as people read it: members[2].schooling is "Thành viên 3 · Tình trạng đi học"."""
    match = MEMBER_PATH_RE.fullmatch(path)
    if match:
        return f"{_word('member', lang, line=int(match[1]) + 1)} · {label(path, lang, kind)}"
    return label(path, lang, kind)


def code_label(field, code, lang="vi", *, form=None, kind="household"):
    """Return the label of a code in a code list ("relation", "ethnicity"…), or the code itself when unknown."""
    # Phiếu A items ("quick_screen") are labelled by `form`, a loaded definition (a rule set's `quick_screen`).
    if not isinstance(code, str):
        return _plain(code)
    if field == "ethnicity":
        return ethnic_group_names().get(code, code)
    if field == "quick_screen":
        return _quick_screen_labels(form).get(code, {}).get(lang, code)
    return labels(kind)["codes"].get(field, {}).get(code, {}).get(lang, code)


def _quick_screen_labels(form):
    """Return item code -> {vi, en} of a loaded Phiếu A definition (empty without one)."""
    if form is None:
        return {}
    return {item["code"]: item["label"] for group in form.data["groups"] for item in group["items"]}


def _quick_screen_form(record):
    """Return the Phiếu A definition named by the rule set of the record's review year, or None."""
    try:
        return rule_set_for_year(record.get("review_year")).quick_screen
    except (RuleSetError, TypeError):
        return None


def _word(name, lang, **params):
    """Return one of the labels' common words ("yes", "member"…) filled with its parameters."""
    return labels()["words"][name][lang].format(**params)


def _skipped_phieu_b(record):
    """Whether the record's Phiếu A stopped the interview, so that its Phiếu B answers were not asked."""
    return kind_of(record) == "household" and recorded_stopped(record)


def answers(record, lang="vi"):
    """Return the record's answers as labelled sections of text rows, members one block each. On a household that
    Phiếu A stopped, a Phiếu B answer that is absent or null reads "not asked" rather than "—"."""
    sections = _answers(record, lang)
    if _skipped_phieu_b(record):
        not_asked = _word("not_asked", lang)
        for section in sections:
            for row in section["rows"] + [r for b in section["blocks"] for r in b["rows"]]:
                if row["value"] == MISSING and _phieu_b_path(row["path"]):
                    row["value"], row["not_asked"] = not_asked, True
    return sections


def answered(row):
    """Whether a display row holds an answer (not "—", not a Phiếu B question a stopped screen skipped)."""
    return row["value"] != MISSING and not row.get("not_asked")


def _phieu_b_path(path):
    """Whether a row's path is an answer of Phiếu B (or of the sections after it), which a stopped screen skips."""
    member = MEMBER_PATH_RE.fullmatch(path)
    if member:
        return path.split(".", 1)[1] in PHIEU_B_MEMBER_KEYS
    return path.split(".", 1)[0] in PHIEU_B_RECORD_KEYS


def _answers(record, lang):
    form, kind = _quick_screen_form(record), kind_of(record)
    sections = labels(kind)["sections"]
    known = [key for section in sections for key in section["keys"]]
    out = []
    for section in sections:
        keys = section["keys"] + ([k for k in record if k not in known] if section["key"] == "other" else [])
        rows, blocks = [], []
        for key in keys:
            value = record.get(key)
            if key == "members" and isinstance(value, list):
                blocks = [_member_block(i, m, lang, form, kind) for i, m in enumerate(value)]
            else:
                rows += [_row(path, k, v, lang, form, kind) for path, k, v in _leaves(value, key, key, kind)]
        out.append({"key": section["key"], "title": section["title"][lang], "rows": rows, "blocks": blocks})
    return out


def _member_block(index, member, lang, form, kind):
    """Return one member's block: a title naming the member's line and name, and a row per answer."""
    path = f"members[{index}]"
    name = member.get("name") if isinstance(member, dict) else None
    title = _member_title(index, member, lang) + (f": {name}" if name else "")
    rows = [_row(p, k, v, lang, form, kind) for p, k, v in _leaves(member, "members", path, kind)]
    return {"key": path, "title": title, "rows": rows}


def _member_title(index, member, lang):
    """Return "Thành viên N" for a member's line (its place in the list when it has none)."""
    line = member.get("line") if isinstance(member, dict) else None
    return _word("member", lang, line=line if line is not None else index + 1)


def _row(path, key, value, lang, form, kind):
    """Return one display row."""
    return {"path": path, "label": label(key, lang, kind), "value": text(key, value, lang, form=form, kind=kind)}


def _leaves(value, key, path, kind="household"):
    """Yield (path, key, value) for each answer under `key`: the contract's keys in order, then unknown keys."""
    # `key` is the labels' key (no list indexes), `path` the record's. An object whose parts the labels know is
    # opened (absent or null: each part absent); anything else, unknown objects included, is one answer.
    parts = _children(kind).get(key)
    if parts and key not in SHOWN_WHOLE and (value is None or isinstance(value, dict)):
        value = value or {}
        for name in parts + [k for k in value if k not in parts]:
            yield from _leaves(value.get(name), f"{key}.{name}", f"{path}.{name}", kind)
    else:
        yield path, key, value


def text(key, value, lang="vi", *, form=None, kind="household"):
    """Return one answer as text: its code's label, Có/Không, a date, an amount, a list joined, "—" if absent."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return _word("yes" if value else "no", lang)
    if isinstance(value, list):
        if not value:
            return _word("none", lang)
        if key == "attachments":
            return ", ".join(a.get("name", "?") if isinstance(a, dict) else _plain(a) for a in value)
        return ", ".join(text(key, item, lang, form=form, kind=kind) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    codes = labels(kind)["keys"].get(key, {}).get("codes")
    if codes:
        return code_label(codes, value, lang, form=form, kind=kind)
    written = FORMATS.get(key)
    try:
        if written == "date":
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        if written == "datetime":
            return _local(datetime.fromisoformat(value)).strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError):
        return _plain(value)
    if not isinstance(value, (int, float)):
        return _plain(value)
    if written == "vnd" and isinstance(value, int):
        return f"{_number(value, lang)} {_word('currency', lang)}"
    if written in UNITS:
        return f"{_number(value, lang)}{UNITS[written]}"
    if written == "number":
        return _number(value, lang)
    return _plain(value)


def _local(at):
    """A time with an offset in Vietnam's time; one without an offset (nobody knows its zone) as it is."""
    return at.astimezone(LOCAL_ZONE) if at.tzinfo is not None else at


def _same(key, old, new):
    """Whether two versions' values of an answer are the same answer: a time is the same instant even when the
    phone wrote it in another offset (both are shown in Vietnam's time); a bool is not the number 1 or 0."""
    if FORMATS.get(key) == "datetime" and isinstance(old, str) and isinstance(new, str):
        try:
            return datetime.fromisoformat(old) == datetime.fromisoformat(new)  # naive vs aware: not the same
        except ValueError:
            pass
    return old == new and isinstance(old, bool) == isinstance(new, bool)


def _number(value, lang):
    """Write a number with separators: 12.000.000 and 7,5 in Vietnamese, 12,000,000 and 7.5 in English."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    written = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return written.translate(str.maketrans(",.", ".,")) if lang == "vi" else written


def _plain(value):
    """Write a value nobody labelled as it is (JSON for lists and objects)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def diff(old, new, lang="vi"):
    """Return each answer that differs between two versions of a record, as text, in the record's order."""
    forms, kind = (_quick_screen_form(old), _quick_screen_form(new)), kind_of(new)
    known = list(_children(kind)[""])
    keys = known + [k for k in dict.fromkeys([*new, *old]) if k not in known]
    out = []
    for key in keys:
        if key in NOT_COMPARED:
            continue
        if key == "members" and isinstance(old.get(key), list) and isinstance(new.get(key), list):
            for prefix, path, old_member, new_member in _paired_members(old[key], new[key], lang):
                out += _changes(_leaves(old_member, key, path, kind), _leaves(new_member, key, path, kind), forms,
                                lang, kind, prefix)
        else:
            out += _changes(_leaves(old.get(key), key, key, kind), _leaves(new.get(key), key, key, kind), forms,
                            lang, kind)
    return out


def _paired_members(old, new, lang):
    """Yield (label prefix, path, old member, new member): members matched by line, those removed last."""
    old_by_key = dict(zip(_member_keys(old), old))
    new_keys = _member_keys(new)
    for i, (key, member) in enumerate(zip(new_keys, new)):
        yield _member_title(i, member, lang) + ": ", f"members[{i}]", old_by_key.get(key), member
    for i, (key, member) in enumerate(zip(_member_keys(old), old)):
        if key not in new_keys:
            yield _member_title(i, member, lang) + ": ", f"members[{i}]", member, None


def _member_keys(members):
    """Return how each member is matched across versions: its line, or its place when lines are missing or repeat."""
    lines = [m.get("line") if isinstance(m, dict) else None for m in members]
    if None in lines or len(set(map(repr, lines))) < len(lines):
        return [("index", i) for i in range(len(members))]
    return [("line", repr(line)) for line in lines]


def _changes(old_leaves, new_leaves, forms, lang, kind, prefix=""):
    """Return the rows for the answers that differ between two lists of leaves (absent and null are the same)."""
    old, new = ({path: (key, value) for path, key, value in leaves} for leaves in (old_leaves, new_leaves))
    rows = []
    for path in dict.fromkeys([*new, *old]):
        key, old_value = old.get(path, (None, None))
        key, new_value = new.get(path, (key, None))
        if not _same(key, old_value, new_value):
            rows.append({"path": path, "label": prefix + label(key, lang, kind),
                         "old": text(key, old_value, lang, form=forms[0], kind=kind),
                         "new": text(key, new_value, lang, form=forms[1], kind=kind)})
    return rows
