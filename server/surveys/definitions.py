"""The form definitions the collector renders, forms/<name>/form.json: checked when loaded, served filled in.

A definition (FORMS-CONTRACT; forms/README.md for its expressions) lists sections of questions, each writing one
record path. `definition(name)` reads and checks the file once (again when it changes): its structure, unique
keys, question types, choice codes, every expression (server/surveys/expressions.py), and every path — written
paths against the record's contract (server.poverty's schemas), referenced paths against what the form writes.
A bad file is refused with FormInvalid naming the file and the key (`sections[3].questions[2].relevant.args[1]`).

`served(name, current_year)` is what `GET /api/v1/forms/<name>` answers: the definition with

- `choices_from` lists filled in: `ethnic_groups` (config/rules/ethnic-groups.json), `quick_screen_items` (the
  Phiếu A items of the current review year's rule set, each with its `group`);
- `{"fill": ...}` placeholders replaced by what the rule sets say, so that no figure of law is typed into a
  form and the phone's evaluator sees plain expressions:
    `{"fill": "review_years"}`                                   → the review years some rule set covers
    `{"fill": "review_years_needing", "path": P}`                → the years whose rule set needs answer P
    `{"fill": "review_years_with_b1_threshold", "area": A}`      → the years whose rule set has a B1 threshold in A
    `{"fill": "review_years_with_point_table"}`                  → the years whose rule set has a loaded B1 table
    `{"fill": "quick_screen_stops", "items": EXPR}`              → an expression: Phiếu A's stopping rule on EXPR
    `{"fill": "current_review_year"}`                            → the current review year (a number)

Pure: no Flask, no database.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from dataclasses import dataclass

from marshmallow import fields as mfields

from config.settings import ROOT
from server.poverty import load_rule_set, rule_set_names
from server.poverty.codes import RULES_DIR

from . import expressions
from .expressions import ExpressionInvalid

FORMS_DIR = ROOT / "forms"
NAMES = ("household", "village")
LANGS = ("vi", "en")
MAX_REPEAT = 50
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
CODE_RE = re.compile(r"[a-z0-9_]{1,64}")
SEGMENT_RE = re.compile(r"[a-z0-9_]+")

TYPES = ("text", "integer", "decimal", "select_one", "select_multiple", "boolean", "date", "year", "gps", "photo",
         "note", "repeat", "point_table")
COMMON_KEYS = {"key", "type", "path", "label", "hint", "required", "relevant", "constraint", "constraint_message",
               "calculate", "unique", "unique_message"}
TYPE_KEYS = {
    "text": {"max_length"}, "integer": {"min", "max"}, "decimal": {"min", "max"}, "year": {"min", "max"},
    "select_one": {"choices", "choices_from"}, "select_multiple": {"choices", "choices_from"},
    "boolean": set(), "date": set(), "gps": set(), "photo": {"max_count"}, "note": set(),
    "repeat": {"questions", "min_count", "max_count", "item_label"}, "point_table": set(),
}
CHOICES_FROM = ("ethnic_groups", "quick_screen_items")
FILLS = {  # fill name -> its parameters
    "review_years": set(), "review_years_needing": {"path"}, "review_years_with_b1_threshold": {"area"},
    "review_years_with_point_table": set(), "quick_screen_stops": {"items"}, "current_review_year": set(),
}
TOP_KEYS, TOP_REQUIRED = {"name", "version", "title", "note", "record", "defaults", "set_by_app", "sections"}, {
    "name", "version", "title", "sections"}
SET_BY_APP_SOURCES = ("uuid", "corrected_version", "form_version", "village_commune", "village", "commune_area",
                      "user", "opened_at", "finished_at")


class FormInvalid(ValueError):
    """A definition that breaks the contract; `file` and `key` say where."""

    def __init__(self, file, key, problem):
        super().__init__(f"{file}: {key or '(the file)'}: {problem}")
        self.file, self.key, self.problem = file, key, problem


class UnknownForm(LookupError):
    """No definition of that name."""


# --- the record's contract, read from the rule engine's schemas ----------------------------------------------------

def schema_paths(kind):
    """{path: field} of every key of the record contract of `kind` ("household" or "village"), lists' items as
    "members[].name"; objects and lists are listed too ("housing", "members")."""
    from server.poverty.schema import Record
    from server.poverty.village import VillageRecord
    out = {}

    def walk(schema, prefix):
        for name, field in schema.fields.items():
            path = f"{prefix}{name}"
            out[path] = field
            if isinstance(field, mfields.Nested):
                walk(field.schema, path + ".")
            elif isinstance(field, mfields.List) and isinstance(field.inner, mfields.Nested):
                walk(field.inner.schema, path + "[].")
    walk(Record() if kind == "household" else VillageRecord(), "")
    return out


# --- loading and checking ------------------------------------------------------------------------------------------

@dataclass
class Definition:
    """A checked definition: the file's content, and the paths its questions write (absolute, "members[].x")."""

    name: str
    file: str
    data: dict
    written: dict  # path -> question key
    stamp: tuple


_loaded: dict[str, Definition] = {}
_served: dict[tuple, tuple] = {}


def form_path(name):
    return FORMS_DIR / name / "form.json"


def names():
    """The names of the forms that have a definition."""
    return [n for n in NAMES if form_path(n).is_file()]


def definition(name) -> Definition:
    """Return forms/<name>/form.json checked (read again when the file changes); FormInvalid when it is bad."""
    if name not in NAMES:
        raise UnknownForm(name)
    path = form_path(name)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UnknownForm(name) from None
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _loaded.get(name)
    if hit is not None and hit.stamp == stamp:
        return hit
    with open(path, encoding="utf-8") as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise FormInvalid(str(path), "", f"not JSON: {e}") from None
    d = check_definition(data, file=str(path), kind=name)
    d.stamp = stamp
    _loaded[name] = d
    return d


def check_definition(data, *, file="form.json", kind="household") -> Definition:
    """Check a definition's content; return it as a Definition or raise FormInvalid naming the first bad key."""
    c = _Checker(file, kind)
    c.top(data)
    return Definition(data.get("name"), file, data, c.written, ())


class _Checker:
    def __init__(self, file, kind):
        self.file, self.kind = file, kind
        self.schema = schema_paths(kind)
        self.keys, self.written, self.exprs = {}, {}, []  # exprs: (where, expr, repeat path or None)

    def fail(self, key, problem):
        raise FormInvalid(self.file, key, problem)

    def obj(self, value, where, allowed, required=()):
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
        for k in value:
            if k not in allowed:
                self.fail(f"{where}.{k}" if where else k, f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for k in required:
            if k not in value:
                self.fail(f"{where}.{k}" if where else k, "missing")

    def text(self, value, where):
        if not isinstance(value, dict) or set(value) != set(LANGS):
            self.fail(where, 'must be {"vi": ..., "en": ...}')
        for lang in LANGS:
            if not isinstance(value[lang], str) or not value[lang].strip():
                self.fail(f"{where}.{lang}", "must be a non-empty string")

    def top(self, data):
        self.obj(data, "", TOP_KEYS, TOP_REQUIRED)
        if data["name"] != self.kind:
            self.fail("name", f"must be {self.kind!r}, the form's directory")
        if not isinstance(data["version"], str) or not re.fullmatch(r"[0-9A-Za-z._-]{1,64}", data["version"]):
            self.fail("version", "must be a version string (letters, digits, . _ -; at most 64)")
        self.text(data["title"], "title")
        if "note" in data and not isinstance(data["note"], str):
            self.fail("note", "must be a string")
        for key in ("record", "defaults"):
            if key in data:
                if not isinstance(data[key], dict):
                    self.fail(key, "must be an object")
                self.values(data[key], key)
        if not isinstance(data.get("set_by_app", []), list):
            self.fail("set_by_app", "must be a list")
        for i, entry in enumerate(data.get("set_by_app", [])):
            where = f"set_by_app[{i}]"
            self.obj(entry, where, {"path", "source"}, {"path", "source"})
            if entry["source"] not in SET_BY_APP_SOURCES:
                self.fail(f"{where}.source", f"unknown source (one of {', '.join(SET_BY_APP_SOURCES)})")
            self.write(entry["path"], f"{where}.path", where)
        sections = data["sections"]
        if not isinstance(sections, list) or not sections:
            self.fail("sections", "must be a non-empty list")
        section_keys = set()
        for i, s in enumerate(sections):
            where = f"sections[{i}]"
            self.obj(s, where, {"key", "title", "hint", "relevant", "questions"}, {"key", "title", "questions"})
            if not isinstance(s["key"], str) or not NAME_RE.fullmatch(s["key"]):
                self.fail(f"{where}.key", "must be a snake_case name")
            if s["key"] in section_keys:
                self.fail(f"{where}.key", f"duplicate section key {s['key']!r}")
            section_keys.add(s["key"])
            self.text(s["title"], f"{where}.title")
            if "hint" in s:
                self.text(s["hint"], f"{where}.hint")
            if "relevant" in s:
                self.expr(s["relevant"], f"{where}.relevant", None)
            self.questions(s["questions"], f"{where}.questions", None)
        self.check_refs()

    def values(self, value, where, prefix=""):
        """Fixed or default record values: every key they set must be a key of the record."""
        for k, v in value.items():
            path = f"{prefix}{k}"
            if path not in self.schema:
                self.fail(f"{where}.{k}", "not a key of the record")
            if isinstance(v, dict) and "fill" in v:
                self.fill(v, f"{where}.{k}")
            elif isinstance(v, dict):
                self.values(v, f"{where}.{k}", path + ".")

    def questions(self, questions, where, repeat):
        if not isinstance(questions, list) or not questions:
            self.fail(where, "must be a non-empty list")
        for j, q in enumerate(questions):
            self.question(q, f"{where}[{j}]", repeat)

    def question(self, q, where, repeat):
        if not isinstance(q, dict):
            self.fail(where, "must be an object")
        qtype = q.get("type")
        if qtype not in TYPES:
            self.fail(f"{where}.type", f"unknown question type {qtype!r} (one of {', '.join(TYPES)})")
        self.obj(q, where, COMMON_KEYS | TYPE_KEYS[qtype], {"key", "type", "label"})
        key = q["key"]
        if not isinstance(key, str) or not NAME_RE.fullmatch(key):
            self.fail(f"{where}.key", "must be a snake_case name")
        if key in self.keys:
            self.fail(f"{where}.key", f"duplicate question key {key!r} (also at {self.keys[key]})")
        self.keys[key] = where
        self.text(q["label"], f"{where}.label")
        if "hint" in q:
            self.text(q["hint"], f"{where}.hint")
        if qtype == "note":
            if "path" in q or "required" in q:
                self.fail(where, "a note writes nothing: no 'path', no 'required'")
        elif "path" not in q:
            if "calculate" not in q or qtype == "repeat":
                self.fail(f"{where}.path", "missing (only a note, or a calculated display value, has no path)")
        else:
            if repeat is not None and qtype == "repeat":
                self.fail(f"{where}.type", "a repeat cannot hold a repeat")
            self.write(q["path"], f"{where}.path", key, repeat)
        req = q.get("required", False)
        if not isinstance(req, bool):
            self.expr(req, f"{where}.required", repeat)
        for k in ("relevant", "calculate"):
            if k in q:
                self.expr(q[k], f"{where}.{k}", repeat)
        if "constraint" in q:
            self.expr(q["constraint"], f"{where}.constraint", repeat)
            if "constraint_message" not in q:
                self.fail(f"{where}.constraint_message", "missing: a constraint needs its message")
            self.text(q["constraint_message"], f"{where}.constraint_message")
        elif "constraint_message" in q:
            self.fail(f"{where}.constraint_message", "a message without a constraint")
        if "unique" in q:
            if q["unique"] is not True or repeat is None:
                self.fail(f"{where}.unique", "only `true`, on a question inside a repeat")
            if "unique_message" not in q:
                self.fail(f"{where}.unique_message", "missing: `unique` needs its message")
            self.text(q["unique_message"], f"{where}.unique_message")
        elif "unique_message" in q:
            self.fail(f"{where}.unique_message", "a message without `unique`")
        self.type_keys(q, qtype, where, repeat)

    def type_keys(self, q, qtype, where, repeat):
        if qtype in ("integer", "decimal", "year"):
            for k in ("min", "max"):
                v = q.get(k)
                if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))
                                      or (qtype != "decimal" and not isinstance(v, int))):
                    self.fail(f"{where}.{k}", "must be a number" + ("" if qtype == "decimal" else " (whole)"))
            if "min" in q and "max" in q and q["min"] > q["max"]:
                self.fail(f"{where}.max", "smaller than min")
            self.within_contract(q, where, repeat)
        if qtype == "text" and "max_length" in q:
            v = q["max_length"]
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                self.fail(f"{where}.max_length", "must be a positive whole number")
        if qtype in ("select_one", "select_multiple"):
            if ("choices" in q) == ("choices_from" in q):
                self.fail(where, "needs exactly one of 'choices' and 'choices_from'")
            if "choices_from" in q:
                if q["choices_from"] not in CHOICES_FROM:
                    self.fail(f"{where}.choices_from", f"unknown list (one of {', '.join(CHOICES_FROM)})")
            else:
                self.choices(q["choices"], f"{where}.choices", q, repeat)
        if qtype == "photo" and "max_count" in q:
            v = q["max_count"]
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 100:
                self.fail(f"{where}.max_count", "must be a whole number from 1 to 100")
        if qtype == "repeat":
            lo, hi = q.get("min_count", 0), q.get("max_count", MAX_REPEAT)
            for k, v in (("min_count", lo), ("max_count", hi)):
                if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_REPEAT:
                    self.fail(f"{where}.{k}", f"must be a whole number from 0 to {MAX_REPEAT}")
            if lo > hi:
                self.fail(f"{where}.max_count", "smaller than min_count")
            if "item_label" in q:
                self.text(q["item_label"], f"{where}.item_label")
            if "questions" not in q:
                self.fail(f"{where}.questions", "missing")
            self.questions(q["questions"], f"{where}.questions", q["path"])

    def within_contract(self, q, where, repeat):
        """min/max may narrow the contract's bounds, never widen them."""
        path = q.get("path")
        if path is None:
            return
        field = self.schema.get(f"{repeat}[].{path}" if repeat else path)
        lo, hi = getattr(field, "lo", None), getattr(field, "hi", None)
        if lo is not None and q.get("min", lo) < lo:
            self.fail(f"{where}.min", f"below the record's bound {lo}")
        if hi is not None and q.get("max", hi) > hi:
            self.fail(f"{where}.max", f"above the record's bound {hi}")

    def choices(self, choices, where, q, repeat):
        if not isinstance(choices, list) or not choices:
            self.fail(where, "must be a non-empty list")
        seen = set()
        field = self.schema.get(f"{repeat}[].{q['path']}" if repeat else q.get("path"))
        allowed = _field_choices(field)
        for i, c in enumerate(choices):
            self.obj(c, f"{where}[{i}]", {"value", "label", "hint"}, {"value", "label"})
            v = c["value"]
            if not isinstance(v, str) or not CODE_RE.fullmatch(v):
                self.fail(f"{where}[{i}].value", "must be a snake_case code")
            if v in seen:
                self.fail(f"{where}[{i}].value", f"duplicate choice {v!r}")
            if allowed is not None and v not in allowed:
                self.fail(f"{where}[{i}].value", f"{v!r} is not a code of the record's {q.get('path')}")
            seen.add(v)
            self.text(c["label"], f"{where}[{i}].label")
            if "hint" in c:
                self.text(c["hint"], f"{where}[{i}].hint")

    def write(self, path, where, key, repeat=None):
        if not isinstance(path, str) or not all(SEGMENT_RE.fullmatch(p) for p in path.split(".")):
            self.fail(where, "must be a record path of snake_case keys joined by dots")
        full = f"{repeat}[].{path}" if repeat else path
        if full not in self.schema:
            self.fail(where, f"{full!r} is not a key of the {self.kind} record")
        if full in self.written:
            self.fail(where, f"{full!r} is written twice (also by {self.written[full]})")
        self.written[full] = key

    def expr(self, e, where, repeat):
        self.fill(e, where)
        try:
            expressions.validate(_placeholders(e), where)
        except ExpressionInvalid as err:
            self.fail(err.where, err.problem)
        self.exprs.append((where, e, repeat))

    def fill(self, e, where):
        """Check every {"fill": ...} node of a tree (they are replaced when served)."""
        if isinstance(e, dict) and "fill" in e:
            name = e["fill"]
            if name not in FILLS:
                self.fail(f"{where}.fill", f"unknown fill {name!r} (one of {', '.join(FILLS)})")
            extra = set(e) - {"fill"} - FILLS[name]
            missing = FILLS[name] - set(e)
            if extra or missing:
                self.fail(where, f"fill {name!r} takes {sorted(FILLS[name]) or 'no parameter'}")
            if name == "review_years_needing" and (not isinstance(e["path"], str) or e["path"] not in self.schema):
                self.fail(f"{where}.path", "not a key of the record")
            if name == "review_years_with_b1_threshold" and e["area"] not in ("rural", "urban"):
                self.fail(f"{where}.area", "must be rural or urban")
            if name == "quick_screen_stops":
                self.fill(e["items"], f"{where}.items")
            return e
        if isinstance(e, dict) and "op" in e and isinstance(e.get("args"), list):
            for i, a in enumerate(e["args"]):
                self.fill(a, f"{where}.args[{i}]")
        return e

    def check_refs(self):
        """Every absolute ref names a path the form (or the app) writes, or one of its parents; "@" only in a repeat."""
        known = set()
        for path in self.written:
            parts = path.split(".")
            for n in range(1, len(parts) + 1):
                known.add(".".join(parts[:n]).replace("[]", ""))
        for where, e, repeat in self.exprs:
            for path in expressions.refs(_placeholders(e)):
                if path == ".":
                    continue
                if path == "@" or path.startswith("@."):
                    if repeat is None:
                        self.fail(where, f"ref {path!r} outside a repeat")
                    if path != "@" and f"{repeat}[].{path[2:]}" not in self.written:
                        self.fail(where, f"ref {path!r}: no question of the repeat writes it")
                elif path not in known:
                    self.fail(where, f"ref {path!r}: no question writes it")


def _field_choices(field):
    """The codes a marshmallow Choice / CodeList field accepts, or None when it is not a fixed list."""
    if field is None:
        return None
    item = getattr(field, "item", field)
    choices = getattr(item, "choices", None)
    if callable(choices):
        choices = choices()
    return frozenset(choices) if choices is not None else None


def _placeholders(e):
    """The tree with each fill node replaced by a literal of its kind, for validation before serving."""
    if isinstance(e, dict) and "fill" in e:
        if e["fill"] == "quick_screen_stops":
            return {"op": "count", "args": [_placeholders(e["items"])]}
        return 0 if e["fill"] == "current_review_year" else []
    if isinstance(e, dict) and "op" in e and isinstance(e.get("args"), list):
        return {**e, "args": [_placeholders(a) for a in e["args"]]}
    return e


# --- serving -------------------------------------------------------------------------------------------------------

class Facts:
    """What the fills read: the rule sets (with their point tables) and the current review year."""

    def __init__(self, current_year, rule_sets=None, point_table=None):
        self.current_year = current_year
        self.rule_sets = rule_sets if rule_sets is not None else [load_rule_set(n) for n in rule_set_names()]
        if point_table is None:
            from .rule_sets import point_table
        self.tables = {r.name: point_table(r) for r in self.rule_sets}

    def years(self, rule_set):
        return list(range(rule_set.first_year, rule_set.last_year + 1))

    def years_where(self, test):
        return sorted(y for r in self.rule_sets if test(r) for y in self.years(r))

    def current_rule_set(self):
        for r in self.rule_sets:
            if r.covers(self.current_year):
                return r
        earlier = [r for r in self.rule_sets if r.last_year < self.current_year]
        return (earlier or self.rule_sets)[-1] if self.rule_sets else None

    def key(self):
        # the objects themselves (hashed by identity): a reloaded rule file or point table is a new key
        return (self.current_year, tuple((r.name, r, self.tables[r.name]) for r in self.rule_sets))


def current_review_year(configured, today=None):
    """The review year the collector starts new forms with: REVIEW_YEAR when set (non-zero), else the calendar year
    of today's local date (the periodic review of year Y runs 1 Sept - 14 Dec of Y; regular reviews during Y)."""
    if configured:
        return int(configured)
    return int((today or expressions.local_today())[:4])


def served(name, facts: Facts):
    """Return (body, etag) of a form as served: choices_from lists and fills resolved (cached per file and facts)."""
    d = definition(name)
    cache_key = (name, d.stamp, facts.key(), _ethnic_stamp())
    hit = _served.get(cache_key)
    if hit is not None:
        return hit
    body = copy.deepcopy(d.data)
    lists = {"ethnic_groups": _ethnic_choices(), "quick_screen_items": _quick_screen_choices(facts)}
    body = _resolve(body, facts, lists)
    # the served definition is plain contract: check its expressions again, now without placeholders
    for where, e in _expressions_of(body):
        expressions.validate(e, where)
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    hit = (body, hashlib.sha256(text.encode()).hexdigest()[:32])
    if len(_served) > 64:
        _served.clear()
    _served[cache_key] = hit
    return hit


def listing(facts: Facts):
    """[{"name", "version", "title", "etag"}] of the forms."""
    out = []
    for name in names():
        body, etag = served(name, facts)
        out.append({"name": name, "version": body["version"], "title": body["title"], "etag": etag})
    return out


def _resolve(node, facts, lists):
    if isinstance(node, dict):
        if "fill" in node:
            return _fill(node, facts, lists)
        out = {k: _resolve(v, facts, lists) for k, v in node.items()}
        if "choices_from" in out:
            out["choices"] = lists[out["choices_from"]]
        return out
    if isinstance(node, list):
        return [_resolve(v, facts, lists) for v in node]
    return node


def _fill(node, facts, lists):
    name = node["fill"]
    if name == "current_review_year":
        return facts.current_year
    if name == "review_years":
        return facts.years_where(lambda r: True)
    if name == "review_years_needing":
        return facts.years_where(lambda r: node["path"] in r.needs)
    if name == "review_years_with_b1_threshold":
        return facts.years_where(lambda r: r.b1_thresholds[node["area"]] is not None)
    if name == "review_years_with_point_table":
        return facts.years_where(lambda r: facts.tables[r.name] is not None)
    if name == "quick_screen_stops":
        return _stops_expression(_resolve(node["items"], facts, lists), facts)
    raise KeyError(name)  # check_definition refuses it first


def _stops_expression(items, facts):
    """Phiếu A's rule as an expression: stop when any group has at least its count of items ticked. With rule sets
    of different Phiếu A versions, the review year picks the version."""
    by_version = {}
    for r in facts.rule_sets:
        by_version.setdefault(r.quick_screen.version, (r.quick_screen, []))[1].extend(facts.years(r))

    def rule(form):
        tests = []
        for group in form.data["groups"]:
            ticks = [{"op": "if", "args": [{"op": "contains", "args": [items, it["code"]]}, 1, 0]}
                     for it in group["items"]]
            total = ticks[0] if len(ticks) == 1 else {"op": "+", "args": ticks}
            tests.append({"op": ">=", "args": [total, group["stop_if_at_least"]["value"]]})
        return {"op": "or", "args": tests}
    versions = list(by_version.values())
    if len(versions) == 1:
        return rule(versions[0][0])
    expr = False
    for form, years in reversed(versions):
        expr = {"op": "if", "args": [{"op": "in", "args": [{"ref": "review_year"}, sorted(years)]}, rule(form), expr]}
    return expr


def _quick_screen_choices(facts):
    rule_set = facts.current_rule_set()
    if rule_set is None:
        return []
    return [{"value": it["code"], "label": dict(it["label"]), "group": g["code"]}
            for g in rule_set.quick_screen.data["groups"] for it in g["items"]]


def _ethnic_stamp():
    st = os.stat(RULES_DIR / "ethnic-groups.json")
    return (st.st_mtime_ns, st.st_size)


def _ethnic_choices():
    with open(RULES_DIR / "ethnic-groups.json", encoding="utf-8") as f:
        groups = json.load(f)["groups"]
    return [{"value": g["code"], "label": {"vi": g["name"], "en": g.get("name_en", g["name"])}} for g in groups]


def _expressions_of(body):
    """(where, expression) of every expression of a served definition."""
    def walk(questions, where):
        for j, q in enumerate(questions):
            w = f"{where}[{j}]"
            for k in ("relevant", "constraint", "calculate"):
                if k in q:
                    yield f"{w}.{k}", q[k]
            if not isinstance(q.get("required", False), bool):
                yield f"{w}.required", q["required"]
            if q.get("type") == "repeat":
                yield from walk(q["questions"], f"{w}.questions")
    for i, s in enumerate(body["sections"]):
        if "relevant" in s:
            yield f"sections[{i}].relevant", s["relevant"]
        yield from walk(s["questions"], f"sections[{i}].questions")


def check_all():
    """Load and check every definition, raising FormInvalid on the first bad one."""
    return [definition(n) for n in names()]
