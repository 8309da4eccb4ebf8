"""A record read through its served form definition, as the collector reads it (static/js/lib/form/).

`apply_form(definition, record)` computes the `calculate` values, removes the answers of questions that are not
relevant (FORMS-CONTRACT: a non-relevant question's value is not submitted), and lists what the form itself
refuses: a required answer missing, a constraint not met, a number out of the question's bounds, a code that is
not one of its choices, a repeat with too few or too many items. Paths in the problems are record paths with
list indexes (`members[2].birth_year`). Pure: no Flask, no database.
"""
from __future__ import annotations

import copy

from .expressions import equal, evaluate

MAX_PASSES = 4  # calculations and relevance settle in a pass or two; a definition that never settles stops here


def _get(obj, parts):
    for p in parts:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


def _set(obj, parts, value):
    for p in parts[:-1]:
        nxt = obj.get(p)
        if not isinstance(nxt, dict):
            nxt = obj[p] = {}
        obj = nxt
    obj[parts[-1]] = value


def _delete(obj, parts):
    """Remove a path; parents it leaves empty are removed too. Return whether something was removed."""
    if not parts:
        return False
    if len(parts) == 1:
        if isinstance(obj, dict) and parts[0] in obj:
            del obj[parts[0]]
            return True
        return False
    child = obj.get(parts[0]) if isinstance(obj, dict) else None
    if not isinstance(child, dict):
        return False
    removed = _delete(child, parts[1:])
    if removed and not child:
        del obj[parts[0]]
    return removed


def _answered(v):
    return not (v is None or v == "" or (isinstance(v, (list, dict)) and not v))


class _Run:
    def __init__(self, record, today):
        self.record, self.today, self.problems, self.changed = record, today, [], False

    def ev(self, expr, item=None, value=None, position=None):
        return evaluate(expr, self.record, item, value, position=position, today=self.today)

    def sections(self, sections, check):
        for s in sections:
            relevant = "relevant" not in s or self.ev(s["relevant"]) is True
            self.questions(s["questions"], self.record, "", relevant, check, None, None)

    def questions(self, questions, target, prefix, parent_relevant, check, item, position):
        for q in questions:
            self.question(q, target, prefix, parent_relevant, check, item, position)

    def question(self, q, target, prefix, parent_relevant, check, item, position):
        path = q.get("path")
        parts = path.split(".") if path else None
        where = f"{prefix}{path}" if path else q["key"]
        relevant = parent_relevant and ("relevant" not in q or self.ev(q["relevant"], item, None, position) is True)
        if not relevant:
            if parts and _delete(target, parts):
                self.changed = True
            return
        if q["type"] == "note" or not parts:
            return
        if "calculate" in q:
            current = _get(target, parts)
            value = self.ev(q["calculate"], item, current, position)
            if value is None:
                self.changed |= _delete(target, parts)
            elif current is None or not equal(current, value):
                _set(target, parts, value)
                self.changed = True
        value = _get(target, parts)
        if q["type"] == "repeat":
            items = value if isinstance(value, list) else []
            for i, member in enumerate(items):
                if isinstance(member, dict):
                    self.questions(q["questions"], member, f"{where}[{i}].", True, check, member, i + 1)
            if check:
                _unique(self, q, items, where)
            if check:
                lo, hi = q.get("min_count", 0), q.get("max_count")
                if len(items) < lo or (hi is not None and len(items) > hi):
                    self.problems.append({"path": where, "problem": "count", "min": lo, "max": hi})
            return
        if not check:
            return
        required = q.get("required", False)
        if not isinstance(required, bool):
            required = self.ev(required, item, value, position) is True
        if not _answered(value):
            if required:
                self.problems.append({"path": where, "problem": "required"})
            return
        if "constraint" in q and self.ev(q["constraint"], item, value, position) is not True:
            self.problems.append({"path": where, "problem": "constraint"})
        if q["type"] in ("integer", "decimal", "year"):
            ok_type = isinstance(value, (int, float)) and not isinstance(value, bool) and (
                q["type"] == "decimal" or isinstance(value, int))
            if not ok_type or value < q.get("min", value) or value > q.get("max", value):
                self.problems.append({"path": where, "problem": "out_of_range", "min": q.get("min"),
                                      "max": q.get("max")})
        if q["type"] in ("select_one", "select_multiple") and "choices" in q:
            codes = {c["value"] for c in q["choices"]}
            values = value if q["type"] == "select_multiple" and isinstance(value, list) else [value]
            if any(v not in codes for v in values):
                self.problems.append({"path": where, "problem": "invalid_choice"})
        if q["type"] == "text" and "max_length" in q and isinstance(value, str) and len(value) > q["max_length"]:
            self.problems.append({"path": where, "problem": "too_long", "max": q["max_length"]})


def _unique(run, q, items, where):
    """A child question with "unique": no two items give the same (answered) value."""
    for child in q["questions"]:
        if not child.get("unique"):
            continue
        seen = {}
        for i, member in enumerate(items):
            v = _get(member, child["path"].split(".")) if isinstance(member, dict) else None
            if not _answered(v):
                continue
            key = repr(v)
            if key in seen:
                run.problems.append({"path": f"{where}[{i}].{child['path']}", "problem": "duplicate"})
            seen.setdefault(key, i)



def apply_form(definition, record, *, today=None):
    """Return (record, problems): a copy with calculations done and non-relevant answers removed, and the form's
    own problems with it (empty when the form accepts it). `definition` is the served one (fills resolved)."""
    out = copy.deepcopy(record)
    for key, value in definition.get("record", {}).items():
        out[key] = copy.deepcopy(value)
    run = _Run(out, today)
    for _ in range(MAX_PASSES):
        run.changed = False
        run.sections(definition["sections"], check=False)
        if not run.changed:
            break
    run.sections(definition["sections"], check=True)
    return out, run.problems
