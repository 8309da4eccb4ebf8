"""Rule sets: loaded from config/rules/<name>.json, validated, and compiled once for classification."""
import os
import re
import time
from pathlib import Path

from marshmallow import ValidationError

from .codes import AREAS, QUICK_SCREEN_DIR, RULES_DIR
from .deficits import KINDS
from .errors import RuleSetError, join_path, read_json
from .messages import encode
from .quick_screen import load_quick_screen
from .rulefile import RuleFile, params_schema

RULE_FILE_RE = re.compile(r"\d{4}-\d{4}\.json")
# An administrator corrects rules by editing files; a loaded rule set is re-checked against its files at most
# once a second, so classification does not stat files per record.
RECHECK_SECONDS = 1.0
_cache = {}  # path -> (checked_at, stamps, RuleSet)
_names = {}  # directory -> (checked_at, stamp, names)
_years = {}  # review year -> (checked_at, RuleSet)


class Indicator:
    """One deficit indicator of a rule set: its number, kind, dimension, label, tag and compiled check."""

    __slots__ = ("number", "kind", "dimension", "label", "tag", "check")

    def __init__(self, number, kind, dimension, label, tag, check):
        self.number, self.kind, self.dimension, self.label, self.tag, self.check = (
            number, kind, dimension, label, tag, check)

    def __repr__(self):
        return f"<Indicator {self.number} {self.kind}>"


class RuleSet:
    """A validated rule file with its parameters precomputed; `data` keeps the file's content with citations."""

    def __init__(self, data, quick_screen):
        v = _values
        self.data = data
        self.name = data["name"]
        self.title = data["title"]
        self.provisional = data["provisional"]
        self.first_year, self.last_year = data["review_years"]["value"]
        self.area_by_division_type = data["area_by_division_type"]["value"]
        self.lines = v(data["income_lines_vnd"])
        self.middle_upper = v(data["middle_band_upper_vnd"])
        self.b1_thresholds = v(data["b1_thresholds"])
        self.b1_rural_regions = data["b1_regions"]["rural_by_province"]["value"]
        self.b1_urban_region = data["b1_regions"]["urban"]["value"]
        self.points_per_deficit = data["b2_points_per_deficit"]["value"]
        self.poor_min_deficits = data["poor_min_deficits"]["value"]
        self.quick_screen = quick_screen
        self.indicators = tuple(sorted(_compile(data), key=lambda i: i.number))
        self.needs = tuple(dict.fromkeys(n for i in self.indicators for n in KINDS[i.kind].needs))
        self.need_keys = tuple((n, tuple(n.split("."))) for n in self.needs)

    def covers(self, year):
        """Return True when this rule set applies to a review year."""
        return self.first_year <= year <= self.last_year

    def __repr__(self):
        return f"<RuleSet {self.name}>"


def _values(per_area):
    """{"rural": {"value": x, ...}, ...} -> {"rural": x, ...}."""
    return {area: per_area[area]["value"] for area in AREAS}


def _compile(data):
    """Validate each indicator's parameters against its kind and build its check."""
    out = []
    for i, ind in enumerate(data["indicators"]):
        prefix = f"indicators[{i}].params"
        try:
            params = params_schema(ind["kind"]).load(ind["params"])
        except ValidationError as e:
            raise RuleSetError.from_validation(e.messages, prefix=prefix) from None
        values = {name: p["value"] for name, p in params.items()}
        try:
            check = KINDS[ind["kind"]].build(values)
        except RuleSetError as e:
            raise e.under(prefix) from None
        out.append(Indicator(ind["number"], ind["kind"], ind["dimension"], ind["label"], ind["tag"], check))
    return out


def _path_of(name):
    """Resolve a rule set name (in config/rules/) or a path to a rule file."""
    if name.endswith(".json") or os.sep in name:
        return Path(name)
    return RULES_DIR / f"{name}.json"


def load_rule_set(name):
    """Load, validate and compile a rule set by name or path; cached until its file or its Phiếu A file changes."""
    path = _path_of(name)
    now = time.monotonic()
    hit = _cache.get(path)
    if hit is not None and now - hit[0] < RECHECK_SECONDS:
        return hit[2]
    stamps = _stamps(path, hit[2].quick_screen.version if hit else None)
    if stamps[0] is None:
        raise RuleSetError("", "rule_set_unknown", file=str(path), name=name)
    if hit is not None and hit[1] == stamps:
        _cache[path] = (now, stamps, hit[2])
        return hit[2]
    rule_set = _read(path)
    _cache[path] = (now, _stamps(path, rule_set.quick_screen.version), rule_set)
    return rule_set


def _stamps(path, form_version):
    """Return the modification times of a rule file and of its Phiếu A definition (None when missing)."""
    out = []
    for p in (path, QUICK_SCREEN_DIR / f"{form_version}.json" if form_version else None):
        try:
            out.append(p.stat().st_mtime_ns if p else None)
        except OSError:
            out.append(None)
    return tuple(out)


def _read(path):
    """Read and validate one rule file, naming the bad key of a broken one."""
    raw = read_json(path)
    try:
        data = RuleFile().load(raw)
        if path.parent == RULES_DIR and data["name"] != path.stem:
            raise ValidationError({"name": [encode("invalid_value", detail=f"expected {path.stem}")]})
    except ValidationError as e:
        raise RuleSetError.from_validation(e.messages, file=str(path)) from None
    version = data["quick_screen_form"]["value"]
    if not (QUICK_SCREEN_DIR / f"{version}.json").is_file():
        raise RuleSetError("quick_screen_form.value", "rule_file_unreadable", file=str(path),
                           detail=f"no quick-screen form {version} in {QUICK_SCREEN_DIR}")
    form = load_quick_screen(version)  # a broken form is named by its own file and key
    try:
        rule_set = RuleSet(data, form)
        _check_years(rule_set)
    except RuleSetError as e:
        raise e.under("", file=str(path)) from None
    return rule_set


def _check_years(rule_set):
    """Refuse a retirement-age table that misses one of the rule set's review years."""
    for i, ind in enumerate(rule_set.data["indicators"]):
        table = ind["params"].get("retirement_age")
        if table is None:
            continue
        for sex, by_year in table["value"].items():
            for year in range(rule_set.first_year, rule_set.last_year + 1):
                if str(year) not in by_year:
                    raise RuleSetError(join_path(f"indicators[{i}].params.retirement_age.value", sex),
                                       "years_out_of_set", year=year)


def rule_set_names(directory=None):
    """List the rule sets in config/rules/ (files named like 2022-2026.json), re-listed at most once a second."""
    directory = Path(directory or RULES_DIR)
    now = time.monotonic()
    hit = _names.get(directory)
    if hit is None or now - hit[0] >= RECHECK_SECONDS:
        stamp = directory.stat().st_mtime_ns
        names = hit[2] if hit and hit[1] == stamp else sorted(
            p.stem for p in directory.iterdir() if RULE_FILE_RE.fullmatch(p.name))
        hit = _names[directory] = (now, stamp, names)
    return hit[2]


def rule_set_for_year(review_year):
    """Return the rule set that covers a review year (2026 -> 2022-2026, 2027 -> 2027-2030)."""
    now = time.monotonic()
    hit = _years.get(review_year)
    if hit is not None and now - hit[0] < RECHECK_SECONDS:
        return hit[1]
    for name in rule_set_names():
        rule_set = load_rule_set(name)
        if rule_set.covers(review_year):
            _years[review_year] = (now, rule_set)
            return rule_set
    raise RuleSetError("review_year", "no_rule_set_for_year", year=review_year)
