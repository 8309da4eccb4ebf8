"""The label files of the survey forms, forms/<kind>/labels.json: read once, checked when read.

A label file says what people read for a record of its kind. "sections" groups the top-level keys in the order a
page shows them, each with a title; "keys" labels every key as a dotted path without list indexes, in the order
rows are shown, a coded key naming its code list; "codes" labels every code of each list; the household file also
holds the common "words" (Có/Không…) every kind uses. Every text is {"vi": …, "en": …}. A file that breaks this
shape is refused with the file and the key named, so a wrong edit stops at the first read, not on a page.
"""
import json
from functools import cache

from config.settings import ROOT

FORMS_DIR = ROOT / "forms"
KINDS = ("household", "village")  # each has forms/<kind>/labels.json
LANGS = ("vi", "en")
# Code lists labelled outside the label files: ethnic groups (config/rules/ethnic-groups.json) and Phiếu A items
# (the definition named by the review year's rule set).
LABELLED_ELSEWHERE = frozenset({"ethnicity", "quick_screen"})


class LabelsInvalid(ValueError):
    """A label file that does not have the shape above; `file` and `key` say where."""

    def __init__(self, file, key, problem):
        super().__init__(f"{file}: {key or '(the file)'}: {problem}")
        self.file, self.key, self.problem = file, key, problem


@cache
def labels(kind="household"):
    """Return forms/<kind>/labels.json ("household" or "village"), read and checked once."""
    path = FORMS_DIR / kind / "labels.json"
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    check_labels(data, file=str(path), with_words=kind == "household")
    return data


def check_labels(data, file="labels.json", *, with_words=False):
    """Refuse a label file of the wrong shape, naming the first bad key; `with_words`: it must hold the words."""
    _object(data, "", {"title", "sections", "keys", "codes"} | ({"words"} if with_words else set()),
            {"note", "words"}, file)
    _text(data["title"], "title", file)
    if not isinstance(data.get("note", ""), str):
        raise LabelsInvalid(file, "note", "must be a string")
    _object(data["codes"], "codes", file=file)
    for name, codes in data["codes"].items():
        _object(codes, f"codes.{name}", file=file)
        for code, text in codes.items():
            _text(text, f"codes.{name}.{code}", file)
    _object(data["keys"], "keys", file=file)
    for key, entry in data["keys"].items():
        _object(entry, f"keys.{key}", set(LANGS), {"codes"}, file)
        _text({lang: entry[lang] for lang in LANGS}, f"keys.{key}", file)
        code_list = entry.get("codes")
        if code_list is not None and code_list not in data["codes"] and code_list not in LABELLED_ELSEWHERE:
            raise LabelsInvalid(file, f"keys.{key}.codes", f"names no code list of 'codes': {code_list!r}")
    if not isinstance(data["sections"], list) or not data["sections"]:
        raise LabelsInvalid(file, "sections", "must be a non-empty list")
    for i, section in enumerate(data["sections"]):
        where = f"sections[{i}]"
        _object(section, where, {"key", "title", "keys"}, set(), file)
        if not isinstance(section["key"], str) or not section["key"]:
            raise LabelsInvalid(file, f"{where}.key", "must be a non-empty string")
        _text(section["title"], f"{where}.title", file)
        if not isinstance(section["keys"], list):
            raise LabelsInvalid(file, f"{where}.keys", "must be a list")
        for j, key in enumerate(section["keys"]):
            if key not in data["keys"]:
                raise LabelsInvalid(file, f"{where}.keys[{j}]", f"has no label in 'keys': {key!r}")
    _object(data.get("words", {}), "words", file=file)
    for name, text in data.get("words", {}).items():
        _text(text, f"words.{name}", file)


def _object(value, where, required=None, optional=(), file="labels.json"):
    """Refuse a value that is not an object, or (when `required` is given) lacks one of those keys or has others."""
    if not isinstance(value, dict):
        raise LabelsInvalid(file, where, "must be an object")
    if required is None:
        return
    missing = sorted(set(required) - set(value))
    if missing:
        raise LabelsInvalid(file, where, f"misses {', '.join(missing)}")
    unknown = sorted(set(value) - set(required) - set(optional))
    if unknown:
        raise LabelsInvalid(file, f"{where}.{unknown[0]}" if where else unknown[0], "is not a known key")


def _text(value, where, file):
    """Refuse a text that is not {"vi": …, "en": …} with both filled in."""
    _object(value, where, set(LANGS), (), file)
    for lang in LANGS:
        if not isinstance(value[lang], str) or not value[lang].strip():
            raise LabelsInvalid(file, f"{where}.{lang}", "must be a non-empty string")
