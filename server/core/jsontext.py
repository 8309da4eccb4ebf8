"""JSON bodies as the API accepts them: parsed with a depth limit, every text NFC, nothing a database refuses.

Python's parser accepts what no record holds and some backends cannot store: a lone surrogate ("\\ud800", which
cannot be encoded as UTF-8), control characters (PostgreSQL refuses NUL in text), nesting deep enough to exhaust
the parser's recursion, lists of a hundred thousand items. `parse_body` refuses each with a coded problem naming
the place, before any validation runs, and returns the body with every string (keys too) in NFC, so the same
name typed on two keyboards is stored, hashed and compared as the same text.
"""

from __future__ import annotations

import json
import re
import unicodedata

from server.core.errors import Problem, field_error

# A household record nests 4 levels (record → members → member → value); rule sets and village records fewer.
MAX_DEPTH = 32
# No list of a record holds more (members: 50, attachments: 100); a longer one is refused before its items.
MAX_ITEMS = 1000
# Control characters (C0, DEL, C1) other than tab and newlines, and lone surrogates.
_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")

CONTROL_MESSAGE = ("Có ký tự điều khiển (không in được) trong chữ; hãy gõ lại.",
                   "The text holds a control (non-printing) character; type it again.")
SURROGATE_MESSAGE = ("Chữ có ký tự Unicode không hợp lệ (nửa cặp thay thế); hãy gõ lại.",
                     "The text holds an invalid Unicode character (a lone surrogate); type it again.")


def parse_body(raw: bytes | str) -> object:
    """Parse a JSON body and check its text and shape; a coded problem (400 or 422) names what is wrong."""
    return clean(parse(raw))


def parse(raw: bytes | str) -> object:
    """Parse JSON, refusing what is not JSON and nesting that exhausts the parser (`clean` checks the rest)."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # includes UnicodeDecodeError: the body is not UTF-8
        raise Problem("invalid_json") from None


def clean(data: object) -> object:
    """The value with every string NFC; refuse lone surrogates, control characters, deep nesting, long lists."""
    try:  # every phone's post takes this path: no error paths built
        kind = type(data)
        if kind is str:
            return _fast_text(data)
        return _fast(data, 1) if kind is dict or kind is list else data
    except _Refused:
        pass
    errors: list[dict] = []  # something is wrong: walk again, naming each place
    out = _clean(data, "", 1, errors)
    if errors:
        raise Problem("validation_failed", fields=errors)
    return out


class _Refused(Exception):
    """The fast walk met something to refuse: the careful walk names it."""


_SCALARS = (int, float, bool, type(None))


def _fast_text(text: str) -> str:
    """A text in NFC, or _Refused."""
    if _BAD.search(text):
        raise _Refused
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _fast(value, depth: int):
    """`_clean` without paths: the cleaned container, or _Refused (scalars are handled inline: most values are)."""
    if depth > MAX_DEPTH:
        raise _Refused
    kind = type(value)
    if kind is dict:
        items = value.items()
    elif kind is list and len(value) <= MAX_ITEMS:
        items = enumerate(value)
    else:
        raise _Refused  # a long list, or a subclass: the careful walk handles it
    out = {} if kind is dict else [None] * len(value)
    for key, item in items:
        t = type(item)
        if t is str:
            item = _fast_text(item)
        elif t is dict or t is list:
            item = _fast(item, depth + 1)
        elif t not in _SCALARS:
            raise _Refused
        if kind is dict:
            key = _fast_text(key) if type(key) is str else key
        out[key] = item
    return out


def _clean(value, path: str, depth: int, errors: list):
    if isinstance(value, str):
        return _text(value, path, errors)
    if isinstance(value, dict):
        if depth > MAX_DEPTH:
            raise _too_deep()
        out = {}
        for key, item in value.items():
            key = _text(key, _join(path, _printable(key)), errors)
            out[key] = _clean(item, _join(path, _printable(key)), depth + 1, errors)
        return out
    if isinstance(value, list):
        if depth > MAX_DEPTH:
            raise _too_deep()
        if len(value) > MAX_ITEMS:
            errors.append(field_error(path or "body", f"Danh sách dài quá {MAX_ITEMS} mục ({len(value)}).",
                                      f"The list has more than {MAX_ITEMS} items ({len(value)})."))
            return value
        return [_clean(item, f"{path}[{i}]", depth + 1, errors) for i, item in enumerate(value)]
    return value


def _text(text: str, path: str, errors: list) -> str:
    """The text in NFC, after recording a problem with its characters."""
    if _BAD.search(text):
        vi, en = SURROGATE_MESSAGE if _SURROGATE.search(text) else CONTROL_MESSAGE
        errors.append(field_error(path or "body", vi, en))
        return text
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _printable(key: str) -> str:
    """A key as it can be shown in an error path (a lone surrogate written as \\udXXX)."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _too_deep() -> Problem:
    return Problem("invalid_json", fields=[field_error(
        "body", f"Nội dung lồng nhau quá {MAX_DEPTH} cấp.", f"The body is nested deeper than {MAX_DEPTH} levels.")])


def has_control_characters(text: str) -> bool:
    """Whether a text holds a character no database column should get (control characters, lone surrogates)."""
    return _BAD.search(text) is not None


def refusal_message(text: str) -> tuple[str, str]:
    """What is wrong with a text that holds such a character, in Vietnamese and English."""
    return SURROGATE_MESSAGE if _SURROGATE.search(text) else CONTROL_MESSAGE


def replace_control_characters(text: str) -> str:
    """The text with each such character replaced by U+FFFD (�), which can be shown and stored."""
    return _BAD.sub("\ufffd", text)
