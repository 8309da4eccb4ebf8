"""The expression language of the form definitions (forms/README.md): validate a tree, evaluate it against a record.

An expression is a JSON tree — a literal, a list literal, {"ref": PATH} or {"op": NAME, "args": [...]} — never a
string of code; nothing here calls eval. The phone evaluates the same trees (static/js/lib/form/expr.js); both pass
forms/expression-cases.json. Pure: no Flask, no database.
"""
import math
import re
from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# household-record.md: a birth year alone counts as born on 1 July (the rule engine's server/poverty/household.py).
BIRTH_YEAR_ONLY_MONTH_DAY = "07-01"
PATH_RE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

# op → (min args, max args or None for any number)
ARITY = {
    "==": (2, 2), "!=": (2, 2), "<": (2, 2), "<=": (2, 2), ">": (2, 2), ">=": (2, 2),
    "and": (1, None), "or": (1, None), "not": (1, 1),
    "+": (2, None), "*": (2, None), "-": (2, 2), "/": (2, 2),
    "in": (2, 2), "contains": (2, 2), "count": (1, 1), "answered": (1, 1), "if": (3, 3),
    "age": (2, 2), "today": (0, 0), "position": (0, 0), "matches": (2, 2),
}
OPS = frozenset(ARITY)


class ExpressionInvalid(ValueError):
    """A tree that is not a valid expression; `where` names the place (e.g. "relevant.args[1]")."""

    def __init__(self, where, problem):
        super().__init__(f"{where or '(the expression)'}: {problem}")
        self.where, self.problem = where, problem


def _at(where, part):
    return f"{where}.{part}" if where else part


def _is_literal(x):
    return x is None or isinstance(x, (bool, int, float, str))


def valid_path(path):
    """Return whether `path` is a ref path: ".", "@", "@.a.b" or "a.b"."""
    if path in (".", "@"):
        return True
    if path.startswith("@."):
        path = path[2:]
    return bool(PATH_RE.fullmatch(path))


def validate(expr, where=""):
    """Refuse a tree that is not an expression, raising ExpressionInvalid naming the place inside `where`."""
    if _is_literal(expr):
        if isinstance(expr, float) and not math.isfinite(expr):
            raise ExpressionInvalid(where, "a number must be finite")
        return
    if isinstance(expr, list):
        for i, x in enumerate(expr):
            if not _is_literal(x):
                raise ExpressionInvalid(where, f"a list literal holds only literals (item {i} does not)")
        return
    if not isinstance(expr, dict):
        raise ExpressionInvalid(where, "not an expression")
    if "ref" in expr:
        if set(expr) != {"ref"}:
            raise ExpressionInvalid(where, f"a ref has no other key than 'ref' (found {sorted(set(expr) - {'ref'})})")
        if not isinstance(expr["ref"], str) or not valid_path(expr["ref"]):
            raise ExpressionInvalid(where, f"bad path {expr['ref']!r} (\".\", \"@\", \"@.field\" or \"a.b.c\")")
        return
    if "op" not in expr:
        raise ExpressionInvalid(where, f"an object expression needs 'ref' or 'op' (found {sorted(expr)})")
    extra = set(expr) - {"op", "args"}
    if extra:
        raise ExpressionInvalid(where, f"unknown key(s) {sorted(extra)}")
    name = expr["op"]
    if not isinstance(name, str) or name not in OPS:
        raise ExpressionInvalid(where, f"unknown operator {name!r}")
    args = expr.get("args", [])
    if not isinstance(args, list):
        raise ExpressionInvalid(where, "'args' must be a list")
    lo, hi = ARITY[name]
    if len(args) < lo or (hi is not None and len(args) > hi):
        want = f"{lo}" if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
        raise ExpressionInvalid(where, f"'{name}' takes {want} argument(s), not {len(args)}")
    for i, a in enumerate(args):
        validate(a, _at(where, f"args[{i}]"))
    if name == "in" and not (isinstance(args[1], list) or (isinstance(args[1], dict) and "ref" in args[1])):
        raise ExpressionInvalid(_at(where, "args[1]"), "'in' needs a list literal or a ref to a list")
    if name == "matches":
        pattern = args[1]
        if not isinstance(pattern, str):
            raise ExpressionInvalid(_at(where, "args[1]"), "a 'matches' pattern must be a literal string")
        try:
            re.compile(pattern, re.ASCII)
        except re.error as e:
            raise ExpressionInvalid(_at(where, "args[1]"), f"the pattern does not compile: {e}") from None


def refs(expr):
    """Yield every ref path in a (valid) tree."""
    if isinstance(expr, dict):
        if "ref" in expr:
            yield expr["ref"]
        for a in expr.get("args", ()):
            yield from refs(a)


class Context:
    """What an expression is evaluated against: the record, the current repeat item and its position, the value."""

    __slots__ = ("record", "item", "value", "position", "today")

    def __init__(self, record, item=None, value=None, position=None, today=None):
        self.record, self.item, self.value, self.position, self.today = record, item, value, position, today


def evaluate(expr, record, item=None, value=None, *, position=None, today=None):
    """Evaluate a valid tree; `today` ("YYYY-MM-DD", default: the local date now) is the clock of "today"."""
    return _eval(expr, Context(record, item, value, position, today))


def _get(obj, parts):
    for p in parts:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


def _ref(path, ctx):
    if path == ".":
        return ctx.value
    if path == "@":
        return ctx.item
    if path.startswith("@."):
        return _get(ctx.item, path[2:].split("."))
    return _get(ctx.record, path.split("."))


def _num(x):
    return (isinstance(x, (int, float)) and not isinstance(x, bool))


def equal(a, b):
    """Deep JSON equality: numbers by value, booleans not numbers, lists element-wise, objects key-wise."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _num(a) and _num(b):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if type(a) is not type(b) and not (_num(a) and _num(b)):
        return False
    return a == b


def _order(name, a, b):
    if not ((_num(a) and _num(b)) or (isinstance(a, str) and isinstance(b, str))):
        return False
    if name == "<":
        return a < b
    if name == "<=":
        return a <= b
    if name == ">":
        return a > b
    return a >= b


def age(born, at):
    """Whole years from a birth ("YYYY-MM-DD" or a year) to the date written at the start of `at`; None if bad."""
    if not isinstance(at, str) or not DATE_RE.fullmatch(at[:10]):
        return None
    ref = at[:10]
    if isinstance(born, int) and not isinstance(born, bool):
        years, md = ref_year(ref) - born, BIRTH_YEAR_ONLY_MONTH_DAY
    elif isinstance(born, str) and DATE_RE.fullmatch(born):
        years, md = ref_year(ref) - int(born[:4]), born[5:]
    else:
        return None
    years -= md > ref[5:]
    return years if years > 0 else 0


def ref_year(ref):
    return int(ref[:4])


def local_today():
    """The local date in Vietnam as YYYY-MM-DD."""
    return datetime.now(LOCAL_ZONE).date().isoformat()


def _answered(x):
    return not (x is None or x == "" or (isinstance(x, (list, dict)) and not x))


def _eval(expr, ctx):
    if not isinstance(expr, dict):
        return expr  # a literal or a list literal
    if "ref" in expr:
        return _ref(expr["ref"], ctx)
    name, args = expr["op"], expr.get("args", ())
    if name == "and":
        return all(_eval(a, ctx) is True for a in args)
    if name == "or":
        return any(_eval(a, ctx) is True for a in args)
    if name == "not":
        return _eval(args[0], ctx) is not True
    if name == "if":
        return _eval(args[1] if _eval(args[0], ctx) is True else args[2], ctx)
    if name == "today":
        return ctx.today or local_today()
    if name == "position":
        return ctx.position
    vals = [_eval(a, ctx) for a in args]
    if name == "==":
        return equal(vals[0], vals[1])
    if name == "!=":
        return not equal(vals[0], vals[1])
    if name in ("<", "<=", ">", ">="):
        return _order(name, vals[0], vals[1])
    if name in ("+", "-", "*", "/"):
        if not all(_num(v) for v in vals):
            return None
        if name == "+":
            return sum(vals)
        if name == "*":
            out = 1
            for v in vals:
                out *= v
            return out
        if name == "-":
            return vals[0] - vals[1]
        return None if vals[1] == 0 else vals[0] / vals[1]
    if name == "in":
        return isinstance(vals[1], list) and any(equal(vals[0], x) for x in vals[1])
    if name == "contains":
        return isinstance(vals[0], list) and any(equal(x, vals[1]) for x in vals[0])
    if name == "count":
        return len(vals[0]) if isinstance(vals[0], list) else 0
    if name == "answered":
        return _answered(vals[0])
    if name == "age":
        return age(vals[0], vals[1])
    if name == "matches":
        return isinstance(vals[0], str) and _compiled(vals[1]).fullmatch(vals[0]) is not None
    raise ExpressionInvalid("", f"unknown operator {name!r}")  # validate() refuses it first


_PATTERNS = {}


def _compiled(pattern):
    rx = _PATTERNS.get(pattern)
    if rx is None:
        rx = _PATTERNS[pattern] = re.compile(pattern, re.ASCII)
    return rx


