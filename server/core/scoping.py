"""Area scoping: the one mechanism through which every query of personal or survey data passes.

A model holding such data declares which columns place it, e.g. `__scope__ = {"unit": "unit_code"}` or
`__scope__ = {"commune": "commune_code", "village": "village_code"}`. `scoped(select(Model), user)` adds the
filter for the user's area; `unscoped(stmt, reason)` marks the few system reads that are not on behalf of a user
(looking up a login name). A guard on every session refuses a SELECT of a scoped model that is neither, so the
UI, the API and exports cannot forget the filter.

Areas are units of the places tree. Core sits below places, so places hands its mapped class over with
`register_unit_model(Unit)` when it defines it; the conditions built here are on that class, for callers to
combine with their own `select(Unit)`.
"""

from __future__ import annotations

from sqlalchemy import and_, event, false, select
from sqlalchemy.orm import ORMExecuteState, Session

SCOPED = "rasoat_scoped"
UNSCOPED = "rasoat_unscoped"
# The mapped class of administrative units, given by register_unit_model().
_models = {}


class ScopeNotApplied(RuntimeError):
    """A query of personal or survey data was about to run without the area filter."""


def register_unit_model(model) -> None:
    """Take the mapped class of units (`code`, `level`, `province_code`, `commune_code`) that areas are made of."""
    _models["unit"] = model


def unit_model():
    """Return the registered unit class; fail clearly when places has not registered it."""
    try:
        return _models["unit"]
    except KeyError:
        raise RuntimeError("area scoping has no unit model: server.places.models calls register_unit_model(Unit) "
                           "when it is imported") from None


def units_below(user):
    """SQL condition on `Unit`: the units in the user's area (their unit and every unit below it)."""
    Unit = unit_model()
    level, code = user.unit.level, user.unit_code
    if level == "province":
        return Unit.province_code == code
    if level == "commune":
        return Unit.commune_code == code
    return Unit.code == code


def scope_clause(model, user):
    """SQL condition restricting `model` to the rows in the user's area."""
    if user is None or not getattr(user, "is_active", False):
        return false()
    Unit, spec = unit_model(), model.__scope__
    if "unit" in spec:
        column = getattr(model, spec["unit"])
        return column.in_(select(Unit.code).where(units_below(user)))
    commune_col = getattr(model, spec["commune"])
    village_col = getattr(model, spec["village"])
    level, code = user.unit.level, user.unit_code
    if level == "province":
        communes = select(Unit.code).where(and_(Unit.level == "commune", Unit.province_code == code))
        return commune_col.in_(communes)
    if level == "commune":
        return commune_col == code
    return village_col == code


def scoped(stmt, user, *models):
    """Restrict a SELECT to the user's area, for the given models or every scoped model it selects."""
    if not models:
        models = tuple(
            d["entity"] for d in stmt.column_descriptions
            if d.get("entity") is not None and hasattr(d["entity"], "__scope__"))
    if not models:
        raise ScopeNotApplied("scoped() found no model with __scope__ in the statement")
    return stmt.where(*(scope_clause(m, user) for m in models)).execution_options(**{SCOPED: True})


def unscoped(stmt, reason: str):
    """Mark a system read that is not on behalf of a user (say why); it bypasses the area filter."""
    if not reason:
        raise ValueError("unscoped() needs a reason")
    return stmt.execution_options(**{UNSCOPED: reason})


def in_area(user, commune_code: str, village_code: str) -> bool:
    """Whether a village (given with its commune) lies in the user's area (a query only for province users)."""
    if user is None or not getattr(user, "is_active", False):
        return False
    level, code = user.unit.level, user.unit_code
    if level == "province":
        return can_access(user, commune_code)
    if level == "commune":
        return commune_code == code
    return village_code == code


def can_access(user, unit_code: str) -> bool:
    """Whether the unit `unit_code` lies in the user's area (the unit must exist)."""
    from server.extensions import db

    if user is None or not getattr(user, "is_active", False):
        return False
    Unit = unit_model()
    stmt = select(Unit.code).where(Unit.code == unit_code, units_below(user))
    return db.session.execute(stmt).first() is not None


@event.listens_for(Session, "do_orm_execute")
def _guard(state: ORMExecuteState) -> None:
    """Refuse a top-level SELECT of a scoped model that did not go through scoped() or unscoped()."""
    if not state.is_select or state.is_relationship_load or state.is_column_load:
        return
    options = state.execution_options
    if options.get(SCOPED) or options.get(UNSCOPED):
        return
    for mapper in state.all_mappers:
        if hasattr(mapper.class_, "__scope__"):
            raise ScopeNotApplied(
                f"query of {mapper.class_.__name__} without scoped(...) or unscoped(..., reason)")
