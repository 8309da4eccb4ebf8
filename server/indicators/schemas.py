"""What GET /api/v1/indicators reads and answers, as marshmallow schemas for the OpenAPI document.

The table is the machine contract of issue 12 (server.indicators.operations): the contract's keys of each row are
typed here; a row holds more (every count and rate of the figures, cuts, flows, status, change), described in the
operations module and open in the schema (additional properties).
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from server.indicators.queries import BASES
from server.places.models import LEVELS


class IndicatorsQuery(Schema):
    """The year (required), the unit (default: the caller's) and the basis."""

    year = fields.Integer(required=True, metadata={"description": "The review year; it must have a rule set."})
    unit = fields.String(metadata={"description": "A unit code in the caller's area (default: the caller's unit)."})
    basis = fields.String(validate=validate.OneOf(BASES), metadata={"default": "approved"})


class TableUnit(Schema):
    """The unit the table is of."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))


def _count(**kw):
    return fields.Integer(required=True, validate=validate.Range(min=0), **kw)


def _rate():
    return fields.Float(required=True, allow_none=True, metadata={
        "description": "A percentage; null when the resident count is missing (see rate_missing)."})


class IndicatorRow(Schema):
    """One row: a child unit, or the unit itself (last)."""

    class Meta:
        unknown = INCLUDE

    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    households = _count(allow_none=True)
    persons = _count(allow_none=True)
    surveyed = _count()
    poor = _count()
    near_poor = _count()
    middle = _count()
    poor_persons = _count()
    near_poor_persons = _count()
    poor_rate = _rate()
    near_poor_rate = _rate()
    multidimensional_rate = _rate()
    poor_persons_rate = _rate()
    deficits_poor = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                                metadata={"description": "Deficit indicator number → poor households lacking it."})
    mean_deficits_poor = fields.Float(required=True, allow_none=True)
    flows_poor = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class IndicatorTable(Schema):
    """The table of a unit and its children for a year under a basis."""

    year = fields.Integer(required=True)
    basis = fields.String(required=True, validate=validate.OneOf(BASES))
    rule_set = fields.String(required=True)
    unit = fields.Nested(TableUnit, required=True)
    rows = fields.List(fields.Nested(IndicatorRow), required=True)
