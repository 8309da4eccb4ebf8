"""Indicative DTTS&MN status of a village or commune from its figures (QĐ 33/2020; provisionally NĐ 272/2025).

The result is always marked indicative: the official status is the approved list (poverty-review.md §4.1).
"""
from fractions import Fraction
from pathlib import Path

from .area_criteria import COUNTS, CRITERIA, DISTANCES, FACTS, PERCENTAGES, evaluate_leaf
from .codes import RULES_DIR
from .errors import FiguresInvalid, RuleSetError, read_json
from .fields import TAGS
from .messages import message

AREA_STATUS_DIR = RULES_DIR / "area-status"
LEVELS = ("village", "commune")
# (part, whole): a part can never exceed its whole.
PARTS = (("poor_households", "households"), ("near_poor_households", "households"),
         ("dtts_households", "households"), ("households_off_grid", "households"),
         ("poor_dtts_households", "poor_households"), ("poor_dtts_households", "dtts_households"),
         ("dtts_people_15_60_illiterate", "dtts_people_15_60"), ("workers_untrained", "workers"))


def unit_status(figures, *, level, criteria=None, year=None):
    """Return the indicative status of a village or commune, with the reasons that decided it (README.md)."""
    # criteria: a file of config/rules/area-status/ (e.g. "qd-33-2020"); else the one whose years cover `year`.
    if level not in LEVELS:
        raise FiguresInvalid.one("level", "invalid_choice", choices=", ".join(LEVELS))
    spec = load_area_criteria(criteria) if criteria else _for_year(year)
    figures = _checked(figures)
    rules = spec["levels"][level]
    result = {"criteria": spec["name"], "level": level, "status": "undetermined", "label": None,
              "indicative": True, "provisional": spec["provisional"], "reasons": [], "missing": []}
    in_scope, reasons = _evaluate(rules["in_scope"], figures)
    result["reasons"] = reasons
    if in_scope is False:
        result["status"], result["label"] = "out_of_scope", rules["out_of_scope_label"]
    elif in_scope:
        for cls in rules["classes"]:
            met, reasons = _evaluate(cls["when"], figures)
            result["reasons"] = result["reasons"] + reasons
            if met is None:
                break
            if met:
                result["status"], result["label"] = cls["status"], cls["label"]
                break
    if result["status"] == "undetermined":
        result["missing"] = sorted({k for r in result["reasons"] for k in r.get("missing", ())})
    return result


def _evaluate(node, figures):
    """Three-valued evaluation of a criteria tree: (True | False | None, the reasons that decided it)."""
    if "always" in node:
        return True, []
    if "criterion" in node:
        met, reason = evaluate_leaf(node, figures)
        return met, [reason]
    children = [_evaluate(child, figures) for child in node.get("any_of") or node.get("all_of") or node["of"]]
    if "any_of" in node:
        need, of = 1, children
    elif "all_of" in node:
        need, of = len(children), children
    else:
        need, of = node["at_least"], children
    yes = [r for met, rs in of if met is True for r in rs]
    unknown = [r for met, rs in of if met is None for r in rs]
    met_count = sum(1 for met, _ in of if met is True)
    open_count = sum(1 for met, _ in of if met is None)
    if met_count >= need:
        return True, yes
    if met_count + open_count < need:
        return False, [r for _, rs in of for r in rs]
    return None, yes + unknown


def _checked(figures):
    """Validate a unit's figures: known keys, types, households > 0, no part above its whole."""
    if not isinstance(figures, dict):
        raise FiguresInvalid.one("", "not_object")
    errors = []
    for key, value in figures.items():
        problem = _type_error(key, value)
        if problem:
            errors.append({"path": key, "message": message(problem[0], **problem[1])})
    if not errors:
        if not figures.get("households"):
            errors.append({"path": "households", "message": message("out_of_range", min=1, max="…")})
        for part, whole in PARTS:
            if figures.get(part) is not None and figures.get(whole) is not None and figures[part] > figures[whole]:
                errors.append({"path": part, "message": message("out_of_range", min=0, max=f"{whole} ({figures[whole]})")})
    if errors:
        raise FiguresInvalid(errors)
    return figures


def _type_error(key, value):
    """Return (code, params) for a figure of the wrong type, or None."""
    if value is None:
        return None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if key in COUNTS:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else ("not_integer", {})
    if key in PERCENTAGES:
        return None if number and 0 <= value <= 100 else ("out_of_range", {"min": 0, "max": 100})
    if key in DISTANCES:
        return None if number and value >= 0 else ("not_number", {})
    if key in FACTS:
        return None if isinstance(value, bool) else ("not_boolean", {})
    return ("unknown_field", {})


def _for_year(year):
    """Return the criteria file whose years cover `year`."""
    if year is None:
        raise FiguresInvalid.one("year", "required")
    for path in sorted(AREA_STATUS_DIR.glob("*.json")):
        spec = load_area_criteria(path.stem)
        first, last = spec["years"]["value"]
        if first <= year <= last:
            return spec
    raise FiguresInvalid.one("year", "no_rule_set_for_year", year=year)


_criteria_cache = {}  # path -> (st_mtime_ns, st_size, spec)


def load_area_criteria(name):
    """Load and check a criteria file (by name or path); a bad key raises RuleSetError naming it.

    Kept while the file's modification time and size stay the same (one stat per call, so an administrator's
    edit applies at once); a province report asks for it once per unit, a few thousand times."""
    path = Path(name) if name.endswith(".json") else AREA_STATUS_DIR / f"{name}.json"
    try:
        st = path.stat()
    except OSError:
        st = None
    hit = _criteria_cache.get(path)
    if st is not None and hit is not None and hit[:2] == (st.st_mtime_ns, st.st_size):
        return hit[2]
    spec = _load_area_criteria(path)
    if st is not None:
        _criteria_cache[path] = (st.st_mtime_ns, st.st_size, spec)
    return spec


def especially_difficult_statuses() -> frozenset[str]:
    """The statuses that mean a unit of especially difficult (ĐBKK) status, over every criteria file: a class
    marked `"especially_difficult": {"value": true, ...}` with its citation (thôn ĐBKK; xã khu vực III)."""
    return frozenset(cls["status"] for path in sorted(AREA_STATUS_DIR.glob("*.json"))
                     for rules in load_area_criteria(str(path))["levels"].values() for cls in rules["classes"]
                     if (cls.get("especially_difficult") or {}).get("value") is True)


def _load_area_criteria(path):
    """Read and check one criteria file."""
    spec = read_json(path)
    for key in ("name", "title", "document", "provisional", "years", "levels"):
        if key not in spec:
            raise RuleSetError(key, "required", file=str(path))
    for level in LEVELS:
        rules = spec["levels"].get(level)
        if not isinstance(rules, dict):
            raise RuleSetError(f"levels.{level}", "required", file=str(path))
        _check_node(rules.get("in_scope"), f"levels.{level}.in_scope", path)
        for key in ("out_of_scope_label", "classes"):
            if key not in rules:
                raise RuleSetError(f"levels.{level}.{key}", "required", file=str(path))
        for i, cls in enumerate(rules["classes"]):
            for key in ("status", "label", "when"):
                if key not in cls:
                    raise RuleSetError(f"levels.{level}.classes[{i}].{key}", "required", file=str(path))
            _check_node(cls["when"], f"levels.{level}.classes[{i}].when", path)
    return spec


def _check_node(node, key, path):
    """Refuse a criteria node that is not a known criterion with its threshold and citation, or a combination."""
    if not isinstance(node, dict):
        raise RuleSetError(key, "not_object", file=str(path))
    if node.get("always") is True:
        return
    if "criterion" in node:
        c = CRITERIA.get(node["criterion"])
        if c is None:
            raise RuleSetError(f"{key}.criterion", "unknown_kind", file=str(path), kind=node["criterion"])
        if node.get("tag") not in TAGS:
            raise RuleSetError(f"{key}.tag", "invalid_tag", file=str(path))
        if not node.get("source"):
            raise RuleSetError(f"{key}.source", "required", file=str(path))
        if c.threshold:
            try:
                Fraction(str(node["value"]))
            except (KeyError, ValueError):
                raise RuleSetError(f"{key}.value", "not_number", file=str(path)) from None
        return
    combos = [k for k in ("any_of", "all_of", "of") if k in node]
    if len(combos) != 1 or not isinstance(node[combos[0]], list) or not node[combos[0]]:
        raise RuleSetError(key, "invalid_value", file=str(path), detail="criterion, any_of, all_of, at_least+of or always")
    if combos[0] == "of" and not (isinstance(node.get("at_least"), int) and 1 <= node["at_least"] <= len(node["of"])):
        raise RuleSetError(f"{key}.at_least", "out_of_range", file=str(path), min=1, max=len(node["of"]))
    for i, child in enumerate(node[combos[0]]):
        _check_node(child, f"{key}.{combos[0]}[{i}]", path)
