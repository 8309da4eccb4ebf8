"""Strict marshmallow fields whose errors are catalogue codes (see messages.py)."""
import copy
import math
import re
import unicodedata
import uuid
from datetime import date, datetime, timezone

from marshmallow import Schema, ValidationError, fields

from .messages import encode

TAGS = ("C", "P", "U")  # confirmed / gist confirmed / unconfirmed (poverty-review.md, preamble)
BASE_MESSAGES = {"required": "required", "null": "null", "validator_failed": encode("invalid_value", detail="?")}
CODE_RE = re.compile(r"[a-z0-9_]{1,64}")
# Control characters (C0, DEL, C1), lone surrogates, and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069): invisible, and an unclosed override reverses the page's own words after the text
# wherever it is shown. No text of a record holds one (PostgreSQL refuses NUL; no Vietnamese text needs the rest).
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
# Dates and times a record may hold: wider than any review, narrower than what the libraries can compute with.
OLDEST_YEAR, NEWEST_YEAR = 1850, 2100
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def fail(code, **params):
    """Raise a field error carrying a catalogue code."""
    raise ValidationError(encode(code, **params))


class Strict(Schema):
    """A schema that refuses unknown keys and non-objects with catalogue codes."""

    error_messages = {"unknown": "unknown_field", "type": "not_object"}


class Field(fields.Field):
    """Base field: catalogue codes for required and null."""

    default_error_messages = BASE_MESSAGES


class Str(Field):
    """A non-blank string, NFC-normalised and stripped, with an optional pattern."""

    def __init__(self, *, max_len=200, pattern=None, pattern_code="invalid_code", **kw):
        super().__init__(**kw)
        self.max_len, self.pattern, self.pattern_code = max_len, pattern, pattern_code

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str):
            fail("not_string")
        if CONTROL_RE.search(value):
            fail("control_character")
        value = unicodedata.normalize("NFC", value).strip()
        if not value:
            fail("empty_string")
        if len(value) > self.max_len:
            fail("too_long", max=self.max_len)
        if self.pattern is not None and not self.pattern.fullmatch(value):
            fail(self.pattern_code)
        return value


class Code(Str):
    """An ASCII snake_case code."""

    def __init__(self, **kw):
        super().__init__(max_len=64, pattern=CODE_RE, **kw)


class Choice(Field):
    """One of a fixed set of codes; `choices` may be a callable returning them (read lazily)."""

    def __init__(self, choices, *, code="invalid_choice", **kw):
        super().__init__(**kw)
        self._choices, self.code = choices, code

    @property
    def choices(self):
        """Return the allowed codes."""
        return self._choices() if callable(self._choices) else self._choices

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str):
            fail("not_string")
        value = unicodedata.normalize("NFC", value)
        allowed = self.choices
        if value not in allowed:
            fail(self.code, choices=", ".join(allowed) if len(allowed) <= 20 else "…")
        return value


class Int(Field):
    """A whole number (not a boolean, not 5.0) within bounds."""

    def __init__(self, *, lo=None, hi=None, **kw):
        super().__init__(**kw)
        self.lo, self.hi = lo, hi

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, int) or isinstance(value, bool):
            fail("not_integer")
        _bounded(value, self.lo, self.hi)
        return value


class Num(Int):
    """A finite number (int or float, not a boolean) within bounds."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            fail("not_number")
        _bounded(value, self.lo, self.hi)
        return value


def _bounded(value, lo, hi):
    """Refuse a number outside [lo, hi]."""
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        fail("out_of_range", min="…" if lo is None else lo, max="…" if hi is None else hi)


class Ident(Str):
    """A user id: a non-blank string or a positive whole number, kept as given."""

    def _deserialize(self, value, attr, data, **kw):
        if isinstance(value, int) and not isinstance(value, bool):
            _bounded(value, 1, None)
            return value
        return super()._deserialize(value, attr, data, **kw)


class Bool(Field):
    """Exactly true or false."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, bool):
            fail("not_boolean")
        return value


class Uuid(Field):
    """A hyphenated UUID, returned in canonical lower case."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str) or not UUID_RE.fullmatch(value):
            fail("invalid_uuid")
        return str(uuid.UUID(value))


class DateStr(Field):
    """A calendar date written YYYY-MM-DD, kept as that string."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str) or not DATE_RE.fullmatch(value):
            fail("invalid_date")
        try:
            day = date.fromisoformat(value)
        except ValueError:
            fail("invalid_date")
        if not OLDEST_YEAR <= day.year <= NEWEST_YEAR:
            fail("date_out_of_range", min=OLDEST_YEAR, max=NEWEST_YEAR)
        return value


class DateTimeStr(Field):
    """An ISO 8601 time with an offset, returned canonical so its first 10 characters are the local date."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, str):
            fail("invalid_datetime")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            fail("invalid_datetime")
        if parsed.tzinfo is None:
            fail("invalid_datetime")
        try:
            utc_year = parsed.astimezone(timezone.utc).year
        except OverflowError:  # e.g. 9999-12-31T23:59:59-12:00 is past year 9999 in UTC
            utc_year = None
        if utc_year is None or not 1900 <= parsed.year <= NEWEST_YEAR or not 1900 <= utc_year <= NEWEST_YEAR:
            fail("date_out_of_range", min=1900, max=NEWEST_YEAR)
        return parsed.isoformat()


class CodeList(Field):
    """A list of distinct codes drawn from `choices` (or any snake_case code when choices is None)."""

    def __init__(self, choices=None, *, max_items=100, **kw):
        super().__init__(**kw)
        self.item = Choice(choices) if choices is not None else Code()
        self.max_items = max_items

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, list):
            fail("not_list")
        if len(value) > self.max_items:
            fail("out_of_range", min=0, max=self.max_items)
        out, errors, seen = [], {}, set()
        for i, raw in enumerate(value):
            try:
                code = self.item.deserialize(raw)
            except ValidationError as e:
                errors[i] = e.messages
                continue
            if code in seen:
                errors[i] = [encode("duplicate_value", value=code)]
            seen.add(code)
            out.append(code)
        if errors:
            raise ValidationError(errors)
        return out


def nested(schema, **kw):
    """A nested object field with catalogue codes."""
    return fields.Nested(schema, error_messages={"type": "not_object", **BASE_MESSAGES}, **kw)


class BoundedList(fields.List):
    """A list whose length is checked before its items: 100,000 members cost one error, not 100,000 checks."""

    def __init__(self, inner, *, lo=0, hi=1000, code="out_of_range", **kw):
        super().__init__(inner, error_messages={"invalid": "not_list", **BASE_MESSAGES}, **kw)
        self.lo, self.hi, self.code = lo, hi, code

    def _deserialize(self, value, attr, data, **kw):
        if isinstance(value, list) and not self.lo <= len(value) <= self.hi:
            fail(self.code, min=self.lo, max=self.hi)
        return super()._deserialize(value, attr, data, **kw)


def listed(inner, *, lo=0, hi=1000, code="out_of_range", **kw):
    """A list field with catalogue codes and a length bound (refused with `code`, before any item is read)."""
    return BoundedList(inner, lo=lo, hi=hi, code=code, **kw)


class Label(Strict):
    """A text in Vietnamese and English."""

    vi = Str(required=True, max_len=500)
    en = Str(required=True, max_len=500)


def confidence_tag():
    """A required confidence tag: C, P or U."""
    return Choice(TAGS, code="invalid_tag", required=True)


def cited(field, *, nullable=False):
    """A {"value", "tag", "source", "note"} object whose value is read by `field`."""
    value = copy.copy(field)
    value.required, value.allow_none = True, nullable
    return nested(Strict.from_dict({
        "value": value, "tag": confidence_tag(), "source": Str(required=True, max_len=500), "note": Str(max_len=2000),
    }), required=True)
