"""The form expression language: the Python evaluator passes the shared case file (forms/expression-cases.json,
which the phone's evaluator passes too) and refuses every invalid tree of forms/expression-invalid.json."""
import json
import re

import pytest

from config.settings import ROOT
from server.surveys import expressions
from server.surveys.expressions import ExpressionInvalid, evaluate, validate

CASES = json.loads((ROOT / "forms" / "expression-cases.json").read_text(encoding="utf-8"))
INVALID = json.loads((ROOT / "forms" / "expression-invalid.json").read_text(encoding="utf-8"))
ALLOWED_CASE_KEYS = {"expr", "record", "item", "value", "position", "today", "expect", "note"}


def same(a, b):
    """JSON equality, numbers by value, booleans apart from numbers."""
    return expressions.equal(a, b) and (a is None) == (b is None)


@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{json.dumps(c['expr'])[:60]}" for i, c in enumerate(CASES)])
def test_case_file(case):
    assert set(case) <= ALLOWED_CASE_KEYS
    validate(case["expr"])
    got = evaluate(case["expr"], case["record"], case["item"], case.get("value"),
                   position=case.get("position"), today=case.get("today"))
    assert same(got, case["expect"]), (got, case["expect"])


def test_case_file_covers_every_operator_and_ref_kind():
    used, ref_kinds = set(), set()

    def walk(e):
        if isinstance(e, dict):
            if "op" in e:
                used.add(e["op"])
            if "ref" in e:
                r = e["ref"]
                ref_kinds.add("." if r == "." else "@" if r.startswith("@") else "abs")
            for a in e.get("args", ()):
                walk(a)
    for c in CASES:
        walk(c["expr"])
    assert used == expressions.OPS
    assert ref_kinds == {".", "@", "abs"}
    assert len(CASES) >= 60


@pytest.mark.parametrize("bad", INVALID, ids=[json.dumps(b["expr"])[:60] for b in INVALID])
def test_invalid_trees_are_refused_naming_the_place(bad):
    with pytest.raises(ExpressionInvalid) as e:
        validate(bad["expr"], "")
    assert e.value.where == bad["error_at"]
    # inside a definition the place is prefixed with where the expression sits
    with pytest.raises(ExpressionInvalid) as e:
        validate(bad["expr"], "sections[2].questions[0].relevant")
    assert e.value.where == "sections[2].questions[0].relevant" + ("." + bad["error_at"] if bad["error_at"] else "")
    assert e.value.where in str(e.value)


def test_no_eval_of_strings():
    # a string is a literal, never code
    assert evaluate("__import__('os').getcwd()", {}) == "__import__('os').getcwd()"
    source = (ROOT / "server" / "surveys" / "expressions.py").read_text(encoding="utf-8")
    assert not re.search(r"\b(eval|exec|compile)\(", source.replace("re.compile(", ""))


def test_today_defaults_to_the_local_date_in_vietnam(monkeypatch):
    from datetime import datetime, timezone

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 12, 31, 18, 30, tzinfo=timezone.utc).astimezone(tz)
    monkeypatch.setattr(expressions, "datetime", Clock)
    assert evaluate({"op": "today"}, {}) == "2027-01-01"  # 18:30 UTC is 01:30 the next day in Vietnam


def test_age_agrees_with_the_rule_engine():
    from server.poverty.household import Household
    at = "2025-10-01T09:30:00+07:00"
    births = [{"birth_date": d} for d in ("1990-10-01", "1990-10-02", "2000-02-29", "2025-09-30", "2024-10-02")]
    births += [{"birth_year": y} for y in (1990, 2010, 2025)]
    h = Household({"members": births, "interview": {"started_at": at}}, 2025)
    for m, engine_age in h.people:
        assert evaluate({"op": "age", "args": [m.get("birth_date", m.get("birth_year")), at]}, {}) == engine_age
