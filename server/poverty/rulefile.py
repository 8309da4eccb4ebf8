"""The shape of a rule file (config/rules/<name>.json): every legal figure beside its citation and tag."""
import re

from marshmallow import ValidationError, validates_schema

from . import codes
from .deficits import KINDS
from .fields import (Bool, Choice, Code, Field, Int, Label, Str, Strict, cited, confidence_tag, fail, listed,
                     nested)
from .messages import encode

MAX_VND = 1_000_000_000


class Mapping(Field):
    """An object whose keys match `key` and whose values are read by `item`."""

    def __init__(self, key, item, **kw):
        super().__init__(**kw)
        self.key, self.item = key, item

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, dict) or not value:
            fail("not_object")
        out, errors = {}, {}
        for k, v in value.items():
            try:
                out[self.key.deserialize(k)] = self.item.deserialize(v)
            except ValidationError as e:
                errors[k] = e.messages
        if errors:
            raise ValidationError(errors)
        return out


class YearRange(Field):
    """[first, last] review years, first <= last."""

    def _deserialize(self, value, attr, data, **kw):
        ok = (isinstance(value, list) and len(value) == 2 and all(type(y) is int for y in value)
              and 2000 <= value[0] <= value[1] <= 2100)
        if not ok:
            fail("invalid_value", detail="[first year, last year]")
        return value


class Raw(Field):
    """An object checked later (indicator parameters depend on the indicator's kind)."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, dict):
            fail("not_object")
        return value


def by_area(field, *, nullable=False):
    """{"rural": cited, "urban": cited}."""
    return nested(Strict.from_dict({area: cited(field, nullable=nullable) for area in codes.AREAS}), required=True)


class Indicator(Strict):
    """One deficit indicator: its number, kind, label, citation and parameters."""

    number = Int(required=True, lo=1, hi=30)
    kind = Choice(tuple(KINDS), required=True)
    dimension = Code(required=True)
    label = nested(Label, required=True)
    tag = confidence_tag()
    source = Str(required=True, max_len=500)
    note = Str(max_len=2000)
    params = Raw(required=True)


class B1Regions(Strict):
    """Which region column of a B1 point table a household uses."""

    rural_by_province = cited(Mapping(Str(max_len=2, pattern=re.compile(r"\d{2}")), Str(max_len=100)))
    urban = cited(Str(max_len=100))


class RuleFile(Strict):
    """A whole rule file."""

    name = Str(required=True, max_len=64)
    title = nested(Label, required=True)
    document = Str(required=True, max_len=1000)
    provisional = Bool(required=True)
    review_years = cited(YearRange())
    area_by_division_type = cited(Mapping(Str(max_len=50), Choice(codes.AREAS)))
    income_lines_vnd = by_area(Int(lo=1, hi=MAX_VND))
    middle_band_upper_vnd = by_area(Int(lo=1, hi=MAX_VND), nullable=True)
    b1_thresholds = by_area(Int(lo=0, hi=10_000), nullable=True)
    b1_regions = nested(B1Regions, required=True)
    b2_points_per_deficit = cited(Int(lo=1, hi=100))
    poor_min_deficits = cited(Int(lo=1, hi=30))
    quick_screen_form = cited(Str(max_len=64))
    indicators = listed(nested(Indicator), lo=1, hi=30, required=True)

    @validates_schema
    def _consistent(self, data, **kw):
        errors = {}
        for area in codes.AREAS:
            upper = data["middle_band_upper_vnd"][area]["value"]
            if upper is not None and upper <= data["income_lines_vnd"][area]["value"]:
                errors.setdefault("middle_band_upper_vnd", {})[area] = {"value": [encode("band_order")]}
        numbers = [i["number"] for i in data["indicators"]]
        for i, n in enumerate(numbers):
            if n in numbers[:i]:
                errors.setdefault("indicators", {})[i] = {"number": [encode("duplicate_value", value=n)]}
        if not errors and sorted(numbers) != list(range(1, len(numbers) + 1)):
            errors["indicators"] = [encode("invalid_value", detail="numbers must run 1, 2, 3… without gaps")]
        if errors:
            raise ValidationError(errors)


def params_schema(kind):
    """The schema of one indicator kind's parameters: each one cited."""
    return Strict.from_dict({name: cited(field) for name, field in KINDS[kind].params.items()})()
