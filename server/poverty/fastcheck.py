"""A fast path for `validate_record`: the `Record` schema's checks in plain Python, accepting only when certain.

Contract: `clean(data)` returns exactly what `Record().load(data)` returns (`StoppedRecord().load` when the screen is
recorded as stopped: schema.record_schema, validate_record's choice) (the same keys in the same order, the same values
of the same types) when it is certain that marshmallow would accept `data`, and None ("not sure") otherwise. It never
raises and never builds an error: on None the caller runs marshmallow, which stays the single source of truth for what
is wrong and how it is worded. Saying "not sure" is always safe; only an acceptance must be right. So anything unusual
(a str or dict subclass, a tuple for a list, a non-NFC spelling of a code, a value marshmallow would refuse) is simply
"not sure".

Nothing of the contract is retyped here. The checker is built, once and lazily, from the schema objects themselves
(schema.py, fields.py): the keys, their order, required and nullable fields, bounds, patterns, lengths and choices
are read from the field objects, and the schema-level rules (one head, member lines and ids, ages, the interview
ending after it starts, the amount an income method needs) are the schemas' own `@validates_schema` methods, called
on the cleaned output as marshmallow calls them. Only the per-value checks of the hot field classes (Str, Choice,
Int, Num, Bool, DateStr, CodeList, Nested, List, BoundedList) are mirrored in plain Python, because marshmallow's
per-field machinery is what costs; any other field class goes through its own `deserialize`. A schema or field
using a marshmallow feature this module does not model (hooks other than `@validates_schema`, `data_key`,
`load_default`, field-level pre/post-load, unknown != RAISE, ...) turns the fast path off: every record then falls
back to marshmallow, and tests/poverty/test_poverty_fastcheck.py fails on its "accepts typical records" test.
"""
import math
import unicodedata
from datetime import date
from functools import cache

from marshmallow import RAISE, Schema, fields
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import missing

from .fields import (CONTROL_RE, DATE_RE, NEWEST_YEAR, OLDEST_YEAR, Bool, BoundedList, Choice, CodeList, DateStr,
                     Int, Num, Str)
from .schema import Record, StoppedRecord, recorded_stopped


class _Unsure(Exception):
    """The fast path cannot vouch for the record: let marshmallow decide."""


class _Unsupported(Exception):
    """The schema uses a marshmallow feature this module does not mirror: the fast path stays off."""


def clean(data):
    """Return the record cleaned exactly as `Record().load` would (`StoppedRecord().load` when its screen is recorded
    as stopped: the same choice as validate_record's), or None when not certain it is valid."""
    check = _record_checker(recorded_stopped(data))
    if check is None:
        return None
    try:
        return check(data)
    except Exception:  # noqa: BLE001 - _Unsure, a ValidationError from a field or a schema validator, or anything
        return None    # unexpected: marshmallow then gives the reference answer (or raises what it raises)


@cache
def _record_checker(stopped=False):
    """Build the record's checker on first use (not at import: the ethnic-group list is read from a file)."""
    try:
        return _object_checker(StoppedRecord() if stopped else Record())
    except Exception:  # noqa: BLE001 - _Unsupported, or marshmallow internals that moved: the fast path stays off
        return None


# Objects: one Strict schema.

def _object_checker(schema):
    """Checker for a dict loaded by `schema`: marshmallow's Schema._do_load for a valid input, as a plain loop."""
    cls = type(schema)
    # Only what the loop below mirrors may be in use: Schema's own load, unknown keys refused, one object, no
    # pre/post-load or per-field hooks (_hooks is marshmallow's registry of the decorated methods).
    if (cls.load is not Schema.load or cls._do_load is not Schema._do_load or cls._deserialize is not
            Schema._deserialize or schema.unknown != RAISE or schema.many or schema.partial or schema.dict_class
            is not dict):
        raise _Unsupported(cls.__name__)
    if schema._hooks[PRE_LOAD] or schema._hooks[POST_LOAD] or schema._hooks[VALIDATES]:
        raise _Unsupported(cls.__name__)
    plan = []
    for name, field in schema.load_fields.items():  # marshmallow's own order, so the output's keys match
        if field.data_key is not None or field.attribute not in (None, name) or "." in name:
            raise _Unsupported(f"{cls.__name__}.{name}")
        check_value = _value_checker(field)
        # A field left to its own deserialize is called as Schema._deserialize calls it: with its name and the object.
        in_context = check_value == field.deserialize
        plan.append((name, field.required, field.allow_none, check_value, in_context))
    known = frozenset(name for name, *_ in plan)
    validators = _schema_validators(schema)

    def check(value):
        if type(value) is not dict or not known.issuperset(value):  # not an object, or an unknown key
            raise _Unsure
        out = {}
        for name, required, allow_none, check_value, in_context in plan:
            if name in value:
                v = value[name]
                if v is not None:
                    out[name] = check_value(v, name, value) if in_context else check_value(v)
                elif allow_none:
                    out[name] = None
                else:
                    raise _Unsure
            elif required:
                raise _Unsure
        for validator in validators:
            validator(out, value)  # raises ValidationError on a problem
        return out

    return check


def _schema_validators(schema):
    """The schema's @validates_schema methods as marshmallow runs them on one object: collection-level ones first."""
    hooks = sorted(schema._hooks[VALIDATES_SCHEMA], key=lambda hook: not hook[1])  # stable: keeps each group's order
    out = []
    for attr_name, _, kwargs in hooks:
        method, pass_original = getattr(schema, attr_name), kwargs.get("pass_original", False)
        kw = {"partial": schema.partial, "many": False, "unknown": schema.unknown}

        def run(output, original, method=method, pass_original=pass_original, kw=kw):
            if pass_original:
                method(output, original, **kw)
            else:
                method(output, **kw)
        out.append(run)
    return out


# Values: one field, given a value that is present and not null (the object checker handles absent and null).

def _value_checker(field):
    """Checker for one field's value: a plain-Python mirror for the common field classes, else its deserialize."""
    if (type(field)._validate_missing is not fields.Field._validate_missing or field.pre_load or field.post_load
            or field.load_default is not missing):
        raise _Unsupported(repr(field))
    if type(field).deserialize is not fields.Field.deserialize:
        return _generic(field)
    build = _BUILDERS.get(type(field)._deserialize)  # by method, so a subclass overriding it is not mistaken
    check = build(field) if build else _generic(field)
    if build and field.validators:  # e.g. the members list's length: run them as Field.deserialize does
        validate = field._validate

        def check_and_validate(v, check=check):
            out = check(v)
            validate(out)
            return out
        return check_and_validate
    return check


def _generic(field):
    """Any other field class (Uuid, Ident, DateTimeStr, B1Items...): its own deserialize, exact by construction."""
    return field.deserialize


def _item_checker(field):
    """Checker for a list item, which may be null (Field.deserialize allows it only when allow_none)."""
    check = _value_checker(field)
    if not field.allow_none:
        return check  # every checker refuses None itself (type checks), so no extra test is needed
    return lambda v: None if v is None else check(v)


def _str(field):
    """fields.Str: NFC-normalised and stripped, non-blank, at most max_len, matching the pattern if any."""
    max_len, pattern, normalize, control = field.max_len, field.pattern, unicodedata.normalize, CONTROL_RE.search

    def check(v):
        if type(v) is not str or control(v):
            raise _Unsure
        v = normalize("NFC", v).strip()  # the very operations Str does, so the output is the same string
        if not v or len(v) > max_len or (pattern is not None and not pattern.fullmatch(v)):
            raise _Unsure
        return v
    return check


def _choice(field):
    """fields.Choice: a string among the choices, returned as given when it is already NFC."""
    # Choice normalises before testing membership; a value already NFC (ASCII always is) is unchanged by that, so
    # membership of the raw value decides. A non-NFC spelling of a choice is left to marshmallow.
    is_normalized = unicodedata.is_normalized
    if callable(field._choices):
        choices = field._choices  # read at each call, as Choice does (ethnic_groups is cached: cheap)

        def check(v):
            if type(v) is not str or v not in choices() or not (v.isascii() or is_normalized("NFC", v)):
                raise _Unsure
            return v
        return check
    frozen = frozenset(field._choices)  # the same membership as the tuple's for a str, in one hash

    def check(v):
        if type(v) is not str or v not in frozen or not (v.isascii() or is_normalized("NFC", v)):
            raise _Unsure
        return v
    return check


def _bounds(field):
    """The field's bounds, an absent one as an infinity (an int compares exactly with an infinite float)."""
    return (-math.inf if field.lo is None else field.lo), (math.inf if field.hi is None else field.hi)


def _int(field):
    """fields.Int: an int (not a bool) within bounds."""
    lo, hi = _bounds(field)

    def check(v):
        if type(v) is not int or not lo <= v <= hi:
            raise _Unsure
        return v
    return check


def _num(field):
    """fields.Num: an int or a finite float (not a bool) within bounds."""
    lo, hi = _bounds(field)
    isfinite = math.isfinite

    def check(v):
        t = type(v)
        # NaN fails the bounds; an int too big for a float makes isfinite raise OverflowError, as in Num, and clean()
        # then leaves the record to marshmallow.
        if not (t is int or t is float) or not lo <= v <= hi or not isfinite(v):
            raise _Unsure
        return v
    return check


def _bool(field):
    """fields.Bool: exactly true or false."""
    def check(v):
        if v is not True and v is not False:
            raise _Unsure
        return v
    return check


def _date(field):
    """fields.DateStr: YYYY-MM-DD naming a real day, kept as given."""
    fromisoformat = date.fromisoformat

    def check(v):
        if type(v) is not str or not DATE_RE.fullmatch(v):
            raise _Unsure
        try:
            day = fromisoformat(v)
        except ValueError:
            raise _Unsure from None
        if not OLDEST_YEAR <= day.year <= NEWEST_YEAR:
            raise _Unsure
        return v
    return check


def _code_list(field):
    """fields.CodeList: a list of at most max_items distinct codes, each checked by the list's item field."""
    max_items, item = field.max_items, _item_checker(field.item)

    def check(v):
        if type(v) is not list or len(v) > max_items:
            raise _Unsure
        out = [item(x) for x in v]
        if len(set(out)) != len(out):
            raise _Unsure
        return out
    return check


def _nested(field):
    """marshmallow's Nested (one object): the nested schema's checker."""
    if field.many or field.unknown not in (None, RAISE) or field.schema.many:
        raise _Unsupported(repr(field))
    return _object_checker(field.schema)


def _list(field):
    """marshmallow's List (of a JSON list): each item by the inner field's checker."""
    item = _item_checker(field.inner)

    def check(v):
        if type(v) is not list:
            raise _Unsure
        return [item(x) for x in v]
    return check


def _bounded_list(field):
    """fields.BoundedList: a list of lo..hi items, each by the inner field's checker."""
    item, lo, hi = _item_checker(field.inner), field.lo, field.hi

    def check(v):
        if type(v) is not list or not lo <= len(v) <= hi:
            raise _Unsure
        return [item(x) for x in v]
    return check


_BUILDERS = {
    Str._deserialize: _str,  # also Code, which only presets the pattern
    Choice._deserialize: _choice,
    Int._deserialize: _int,
    Num._deserialize: _num,
    Bool._deserialize: _bool,
    DateStr._deserialize: _date,
    CodeList._deserialize: _code_list,
    fields.Nested._deserialize: _nested,
    fields.List._deserialize: _list,
    BoundedList._deserialize: _bounded_list,
}
