"""The poverty rule engine: pure functions over a household record and a versioned rule set (no Flask, no database).

See README.md beside this file for the result's shape, the notes and the decisions the engine takes.
"""
from .classify import classify
from .errors import FiguresInvalid, PointTableInvalid, RecordInvalid, RuleSetError
from .points import PointTable, load_point_table
from .rules import RuleSet, load_rule_set, rule_set_for_year, rule_set_names
from .unit_status import unit_status
from .validate import validate_record
from .village import validate_village_record

__all__ = [
    "FiguresInvalid", "PointTable", "PointTableInvalid", "RecordInvalid", "RuleSet", "RuleSetError", "classify",
    "load_point_table", "load_rule_set", "rule_set_for_year", "rule_set_names", "unit_status", "validate_record",
    "validate_village_record",
]
