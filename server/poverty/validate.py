"""Record validation: the contract (schema.py, with fastcheck.py's fast path), then the answers the rule set needs."""
from marshmallow import ValidationError

from . import fastcheck
from .errors import RecordInvalid, RuleSetError, flatten
from .messages import message
from .rules import load_rule_set, rule_set_for_year
from .schema import Record, StoppedRecord, recorded_stopped

_schemas = {False: Record(), True: StoppedRecord()}  # by the recorded Phiếu A verdict (schema.py, PHIEU_B_RECORD)


def validate_record(data, rule_set=None):
    """Return the record cleaned (NFC text, canonical ids and times) or raise RecordInvalid naming each bad field."""
    return _validate(data, rule_set, fast=True)


def _validate(data, rule_set, *, fast):
    """validate_record; with fast=False marshmallow alone checks the contract (the reference the tests compare to)."""
    if not isinstance(data, dict):
        raise RecordInvalid.one("", "not_object")
    # The fast path returns the cleaned record only when certain marshmallow would give exactly that; otherwise
    # (an invalid record, or anything unusual) marshmallow decides and words the errors.
    record = fastcheck.clean(data) if fast else None
    if record is None:
        try:
            record = _schemas[recorded_stopped(data)].load(data)
        except ValidationError as e:
            raise RecordInvalid(flatten(e.messages)) from None
    errors = answer_errors(record, resolve_rule_set(record, rule_set))
    if errors:
        raise RecordInvalid(errors)
    return record


def resolve_rule_set(record, rule_set):
    """Return the rule set given (object or name), else the one of the record's review year."""
    if rule_set is None:
        try:
            return rule_set_for_year(record["review_year"])
        except RuleSetError:
            raise RecordInvalid.one("review_year", "no_rule_set_for_year", year=record["review_year"]) from None
    return load_rule_set(rule_set) if isinstance(rule_set, str) else rule_set


def answer_errors(record, rule_set):
    """List the answers a rule set needs that the record lacks, and quick-screen items its Phiếu A lacks. A household
    whose screen is recorded as stopped skipped Phiếu B, so nothing of it is needed (nor scored)."""
    errors = []
    for path, keys in () if record["quick_screen"]["stopped"] else rule_set.need_keys:
        value = record
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            errors.append({"path": path, "message": message("answer_required_by_rule_set", rule_set=rule_set.name)})
    known = rule_set.quick_screen.codes
    for i, code in enumerate(record["quick_screen"]["items"]):
        if code not in known:
            errors.append({"path": f"quick_screen.items[{i}]",
                           "message": message("unknown_quick_screen_item", form=rule_set.quick_screen.version)})
    return errors
