"""The kinds of deficit indicator: each reads a Household and the parameters its rule file gives it.

The rule file (config/rules/*.json) says which kinds a rule set uses, numbers them, and holds every
parameter with its citation; this module only knows the shape of each rule.
"""
from marshmallow import ValidationError

from . import codes
from .errors import RuleSetError
from .fields import CodeList, Field, Int, Num, Strict, fail, listed, nested
from .messages import encode

KINDS = {}


class Kind:
    """An indicator kind: its parameter fields, the record answers it needs, and its check builder."""

    def __init__(self, name, params, needs, build):
        self.name, self.params, self.needs, self.build = name, params, needs, build


def kind(name, needs=(), **params):
    """Register a check builder `build(params) -> check(household) -> bool` under an indicator kind."""
    def register(build):
        KINDS[name] = Kind(name, params, needs, build)
        return build
    return register


class DiplomaBand(Strict):
    """Ages and the diplomas that satisfy them."""

    min_age = Int(required=True, lo=0, hi=120)
    max_age = Int(required=True, lo=0, hi=120)
    diplomas = CodeList(codes.DIPLOMAS, required=True)


class LevelBand(Strict):
    """Ages and the school levels right for them."""

    min_age = Int(required=True, lo=0, hi=120)
    max_age = Int(required=True, lo=0, hi=120)
    levels = CodeList(codes.SCHOOL_LEVELS, required=True)


def _by_age(p, name, key):
    """Map each age of the bands in parameter `name` to its accepted codes; bands upside down or overlapping fail."""
    out = {}
    for i, b in enumerate(p[name]):
        if b["min_age"] > b["max_age"]:
            raise RuleSetError(f"{name}.value[{i}].max_age", "out_of_range", min=b["min_age"], max=120)
        for age in range(b["min_age"], b["max_age"] + 1):
            if age in out:
                raise RuleSetError(f"{name}.value[{i}].min_age", "duplicate_value", value=age)
            out[age] = frozenset(b[key])
    return out


class RetirementAges(Field):
    """{"male": {"2025": [61, 3], ...}, "female": {...}}: retirement age (years, months) by sex and year."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, dict):
            fail("not_object")
        out, errors = {}, {}
        for sex in codes.SEXES:
            by_year = value.get(sex)
            if not isinstance(by_year, dict) or not by_year:
                errors[sex] = [encode("required")]
                continue
            out[sex] = {}
            for year, age in by_year.items():
                ok = (year.isdigit() and isinstance(age, list) and len(age) == 2
                      and all(isinstance(x, int) and not isinstance(x, bool) for x in age) and 0 <= age[1] < 12)
                if not ok:
                    errors.setdefault(sex, {})[year] = [encode("invalid_value", detail="[years, months]")]
                    continue
                out[sex][int(year)] = age[0] * 12 + age[1]
        for extra in set(value) - set(codes.SEXES):
            errors[extra] = [encode("unknown_field")]
        if errors:
            raise ValidationError(errors)
        return out


def _months_for(table, year):
    """Return the table's entry for a year, or the nearest year's when the year lies outside it."""
    return table[min(max(year, min(table)), max(table))]


@kind("employment", needs=(), deprived_employment=CodeList(codes.EMPLOYMENT), working_age_min=Int(lo=0, hi=30),
      retirement_age=RetirementAges())
def employment(p):
    deprived, lo, table = frozenset(p["deprived_employment"]), p["working_age_min"], p["retirement_age"]

    def check(h):
        for m, age in h.people:
            if m["employment"] in deprived and age >= lo:
                if h.age_in_months(m) < _months_for(table[m["sex"]], h.year):
                    return True
        return False
    return check


@kind("dependants", child_under_age=Int(lo=0, hi=30), elderly_min_age=Int(lo=40, hi=120),
      dependant_disabilities=CodeList(codes.DISABILITY), share_above_pct=Num(lo=0, hi=100))
def dependants(p):
    child, elderly, pct = p["child_under_age"], p["elderly_min_age"], p["share_above_pct"]
    disabled = frozenset(p["dependant_disabilities"])

    def check(h):
        count = sum(1 for m, age in h.people if age < child or age >= elderly or m["disability"] in disabled)
        return count * 100 > pct * h.size  # "more than" the share: exactly on it is not deprived
    return check


@kind("nutrition", child_under_age=Int(lo=0, hi=30), deprived_codes=CodeList(codes.MALNUTRITION))
def nutrition(p):
    child, deprived = p["child_under_age"], frozenset(p["deprived_codes"])

    def check(h):
        unanswered = []
        for m, age in h.people:
            if age < child:
                state = m.get("malnutrition")
                if state in deprived:
                    return True
                if state is None:
                    unanswered.append(m["line"])
        if unanswered:
            h.notes.append(("malnutrition_not_answered", {"lines": ", ".join(map(str, unanswered))}))
        return False
    return check


@kind("health_insurance", min_age=Int(lo=0, hi=30))
def health_insurance(p):
    lo = p["min_age"]

    def check(h):
        return any(age >= lo and not m["health_insurance"] for m, age in h.people)
    return check


@kind("adult_education", bands=listed(nested(DiplomaBand), lo=1, hi=10))
def adult_education(p):
    by_age = _by_age(p, "bands", "diplomas")

    def check(h):
        for m, age in h.people:
            accepted = by_age.get(age)
            if accepted is not None and m["schooling"] == "not_attending" and m["highest_diploma"] not in accepted:
                return True
        return False
    return check


@kind("child_schooling", min_age=Int(lo=0, hi=30), under_age=Int(lo=0, hi=30),
      levels_by_age=listed(nested(LevelBand), lo=1, hi=20))
def child_schooling(p):
    lo, hi = p["min_age"], p["under_age"]
    by_age = _by_age(p, "levels_by_age", "levels")
    for age in range(lo, hi):
        if age not in by_age:
            raise RuleSetError("levels_by_age.value", "invalid_value", detail=f"no band for age {age}")

    def check(h):
        unanswered = []
        for m, age in h.people:
            if lo <= age < hi:
                if m["schooling"] == "not_attending":
                    return True
                level = m.get("school_level")
                if level is None:
                    unanswered.append(m["line"])
                elif level not in by_age[age]:
                    return True
        if unanswered:
            h.notes.append(("school_level_not_answered", {"lines": ", ".join(map(str, unanswered))}))
        return False
    return check


@kind("housing_quality", needs=("housing.durable",), min_non_durable_parts=Int(lo=1, hi=3))
def housing_quality(p):
    least = p["min_non_durable_parts"]

    def check(h):
        durable = h.record["housing"]["durable"]
        return (not durable["foundation"]) + (not durable["walls"]) + (not durable["roof"]) >= least
    return check


@kind("floor_area", needs=("housing.floor_area_m2",), min_m2_per_person=Num(lo=0, hi=100))
def floor_area(p):
    least = p["min_m2_per_person"]

    def check(h):
        # Compared as area < least × members, so no rounding of a per-person figure decides the case.
        return h.record["housing"]["floor_area_m2"] < least * h.size
    return check


@kind("water", needs=("water_source",), safe_sources=CodeList(codes.WATER_SOURCES))
def water(p):
    safe = frozenset(p["safe_sources"])
    return lambda h: h.record["water_source"] not in safe


@kind("toilet", needs=("toilet",), hygienic_toilets=CodeList(codes.TOILETS))
def toilet(p):
    hygienic = frozenset(p["hygienic_toilets"])
    return lambda h: h.record["toilet"] not in hygienic


@kind("internet", needs=("internet_use",))
def internet(p):
    return lambda h: not h.record["internet_use"]


@kind("info_devices", needs=("info_devices",), devices=CodeList(codes.INFO_DEVICES))
def info_devices(p):
    counted = frozenset(p["devices"])
    return lambda h: counted.isdisjoint(h.record["info_devices"])


@kind("waste", needs=("waste_handling",), safe_handling=CodeList(codes.WASTE_HANDLING))
def waste(p):
    safe = frozenset(p["safe_handling"])
    return lambda h: h.record["waste_handling"] not in safe
