"""What the accounts API reads and answers, as marshmallow schemas: the OpenAPI document is generated from them.

They describe `server.accounts.api` as it is (the views build their answers by hand): a change to an answer there
is a change here, and the fuzzing of the document (tests/exports/test_exports_fuzz.py) finds a mismatch.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from server.core.roles import ROLES
from server.places.models import LEVELS


class UserUnit(Schema):
    """The user's own unit."""

    code = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    name = fields.String(required=True)


class UserAnswer(Schema):
    """Who a token belongs to (GET /api/v1/me, and `user` of a new token)."""

    username = fields.String(required=True)
    full_name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit = fields.Nested(UserUnit, required=True)


class TokenRequest(Schema):
    """POST /api/v1/token: a username and password; `label` names the device (at most 100 characters kept)."""

    class Meta:
        unknown = INCLUDE  # other keys are ignored

    username = fields.String(required=True, validate=validate.Length(min=1))
    password = fields.String(required=True, validate=validate.Length(min=1))
    label = fields.String(metadata={"description": "The device's name; the User-Agent when absent."})


class TokenAnswer(Schema):
    """A new bearer token, when it expires, and whose it is."""

    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    user = fields.Nested(UserAnswer, required=True)
