"""Phiếu A (quick screen) as a form definition: its items, groups and stopping rule, from config/rules/quick-screen/."""
from pathlib import Path

from marshmallow import ValidationError

from .codes import QUICK_SCREEN_DIR
from .errors import RuleSetError, read_json
from .fields import Choice, Code, Int, Label, Str, Strict, cited, confidence_tag, listed, nested


class Item(Strict):
    """One quick-screen item."""

    code = Code(required=True)
    label = nested(Label, required=True)
    tag = confidence_tag()


class Group(Strict):
    """A group of items with its stop count."""

    code = Code(required=True)
    label = nested(Label, required=True)
    stop_if_at_least = cited(Int(lo=1, hi=100))
    items = listed(nested(Item), lo=1, hi=100, required=True)


class Definition(Strict):
    """A Phiếu A form definition file."""

    form = Choice(("quick_screen",), required=True)
    version = Str(required=True, max_len=64)
    title = nested(Label, required=True)
    source = Str(required=True, max_len=500)
    tag = confidence_tag()
    note = nested(Label)
    groups = listed(nested(Group), lo=1, hi=20, required=True)


class QuickScreenForm:
    """A loaded Phiếu A: the item codes, and the rule "stop if any group reaches its count"."""

    def __init__(self, data):
        self.version = data["version"]
        self.data = data
        self.group_of = {}
        self.thresholds = []
        for g, group in enumerate(data["groups"]):
            self.thresholds.append(group["stop_if_at_least"]["value"])
            for item in group["items"]:
                self.group_of[item["code"]] = g
        self.codes = frozenset(self.group_of)

    def stops(self, items):
        """Return True when the items met stop the survey under this definition."""
        counts = [0] * len(self.thresholds)
        for code in items:
            counts[self.group_of[code]] += 1
        return any(c >= t for c, t in zip(counts, self.thresholds))


def load_quick_screen(version, directory=None):
    """Load and validate config/rules/quick-screen/<version>.json; a broken one raises RuleSetError naming the key."""
    path = Path(directory or QUICK_SCREEN_DIR) / f"{version}.json"
    raw = read_json(path)
    try:
        data = Definition().load(raw)
    except ValidationError as e:
        raise RuleSetError.from_validation(e.messages, file=str(path)) from None
    seen = set()
    for g, group in enumerate(data["groups"]):
        for i, item in enumerate(group["items"]):
            if item["code"] in seen:
                raise RuleSetError(f"groups[{g}].items[{i}].code", "duplicate_value", file=str(path),
                                   value=item["code"])
            seen.add(item["code"])
    if data["version"] != version:
        raise RuleSetError("version", "invalid_value", file=str(path), detail=f"expected {version}")
    return QuickScreenForm(data)
