"""What the public survey APIs answer (forms, rule sets), as marshmallow schemas for the OpenAPI document.

They describe `server.surveys.api` and `server.surveys.rules_api` as they are. The form definitions and the rule
sets themselves are documents with their own contracts (shared/domain/ and config/): here only their top level.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields


class Text(Schema):
    """A text in Vietnamese and English."""

    vi = fields.String(required=True)
    en = fields.String(required=True)


class FormItem(Schema):
    """One form of the listing, with the address of its definition and its ETag."""

    name = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.Nested(Text, required=True)
    etag = fields.String(required=True)
    url = fields.String(required=True)


class FormListing(Schema):
    """GET /api/v1/forms."""

    forms = fields.List(fields.Nested(FormItem), required=True)


class FormDefinition(Schema):
    """GET /api/v1/forms/<form_name>: the definition as served (choices lists filled in, facts resolved)."""

    class Meta:
        unknown = INCLUDE

    name = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.Nested(Text, required=True)
    sections = fields.List(fields.Dict(), required=True)


class RuleSetItem(Schema):
    """One rule set of the listing, with the review years it applies to."""

    name = fields.String(required=True)
    title = fields.Nested(Text, required=True)
    review_years = fields.List(fields.Integer(), required=True)
    provisional = fields.Boolean(required=True)
    url = fields.String(required=True)


class RuleSetListing(Schema):
    """GET /api/v1/rule-sets."""

    rule_sets = fields.List(fields.Nested(RuleSetItem), required=True)


class RuleSetDocument(Schema):
    """GET /api/v1/rule-sets/<rule_set>: everything the phone's rule engine needs (server.surveys.rule_sets)."""

    name = fields.String(required=True)
    rule_set = fields.Dict(required=True, metadata={"description": "The rule set file (config/rules/)."})
    quick_screen = fields.Dict(required=True, metadata={"description": "Its Phiếu A."})
    point_tables = fields.List(fields.Dict(), required=True, metadata={"description": "Its B1 point table, if any."})
    communes = fields.Raw(required=True, metadata={"description": "The installation's commune facts."})
    messages = fields.Raw(required=True, metadata={"description": "The rule engine's messages."})
    area_labels = fields.Dict(keys=fields.String(), values=fields.Nested(Text), required=True)
