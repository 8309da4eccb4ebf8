"""The set-based queries behind the indicators: every count is a GROUP BY in the database.

Nothing here loops over households in Python: each query returns one row per group (unit × class × the
attributes the cuts read), a few thousand rows for a province, which server.indicators.figures and .flows fold.
They read `submissions` through its indexed columns, so a figure is right the moment a form is approved or a
new one arrives; a finished table is kept (server.indicators.cache) only until the data it was made from
changes. Two partial covering indexes over the counted forms (ix_submissions_counted,
ix_submissions_counted_class: migration 20261201_06) let the cells, the deficits and the flows read the index
instead of the wide rows; the flows group only the households poor or near-poor in either year (the others are
in no flow row).

**Bases** (what counts; household forms only, never a form set aside as a duplicate):

- `submitted`: every current form, whatever its state (the provisional view while the review runs);
- `approved`: approved by the commune or further: `lifecycle.SETTLED` = approved, agreed, recognised. A form the
  village meeting sent back for re-survey (`resurvey`) does not count: the meeting did not agree with the
  commune's approval, and the form is back with the enumerator until it is approved again;
- `recognised`: only forms recognised by a commune decision (the official figures).

**Today's communes.** A form filed under a commune that the 07/2025 reorganisation replaced is counted under its
new commune through `commune_mappings` when the old code maps to exactly one new commune (and is not itself a
commune in force); an old commune split over several new ones stays under its old code.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, literal, null, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased

from server.core.scoping import unscoped
from server.extensions import db
from server.indicators.models import OfficialStatus
from server.places.models import CommuneMapping, Unit, UnitHouseholdCount
from server.poverty.unit_status import especially_difficult_statuses
from server.submissions.lifecycle import SETTLED
from server.submissions.models import Submission

BASES = ("approved", "recognised", "submitted")
OUT_OF_SCOPE = "out_of_scope"  # an official status: outside the DTTS&MN area (server.indicators.status)
BASIS_STATES = {"approved": tuple(sorted(SETTLED)), "recognised": ("recognised",), "submitted": None}
S = Submission


def _single_mappings(name: str = "single_mapping"):
    """old commune code → its one new commune, for old codes that are not a commune in force."""
    current = select(Unit.code).where(Unit.level == "commune", Unit.valid_to.is_(None))
    return (select(CommuneMapping.old_code.label("old_code"), func.min(CommuneMapping.new_code).label("new_code"))
            .where(CommuneMapping.old_code.not_in(current))
            .group_by(CommuneMapping.old_code)
            .having(func.count(func.distinct(CommuneMapping.new_code)) == 1)
            .subquery(name))


def _commune_aliases():
    """(today, raw): every commune code a form of today's commune `today` may carry: its own, and the old
    communes mapped into it alone (_single_mappings)."""
    mapping = _single_mappings("alias_mapping")
    own = select(Unit.code.label("today"), Unit.code.label("raw")).where(Unit.level == "commune")
    return union_all(own, select(mapping.c.new_code, mapping.c.old_code)).subquery("commune_aliases")


def counted(stmt, basis: str, s=S):
    """Only the household forms that count under `basis` (`s`: Submission or an alias of it). `kind` is written
    as a literal, like the WHERE of the partial indexes ix_submissions_counted*, so that a prepared (generic)
    plan on PostgreSQL can still use them."""
    stmt = stmt.where(s.kind == literal("household", literal_execute=True), s.duplicate_of_id.is_(None))
    states = BASIS_STATES[basis]
    return stmt if states is None else stmt.where(s.state.in_(states))


# The area is checked once per request on the unit asked for (operations.find_unit: server.core.scoping.
# can_access), and every query is restricted to that unit; the rows are counts, never a household. Forms of an
# old commune are counted in the new commune they map to, which the row filter on the form's own commune code
# (scoped()) would drop.
AREA_CHECKED = "aggregate counts of a unit checked in the caller's area (server.indicators.operations.find_unit)"


def _run(stmt):
    """Execute a GROUP BY over the forms of a unit whose area was checked."""
    return db.session.execute(unscoped(stmt, AREA_CHECKED)).mappings().all()


class Frame:
    """What every query shares: today's commune of a form, and the unit filter. `entity` is Submission or an
    alias of it (for a subquery over the forms inside a query over the forms)."""

    def __init__(self, entity=None, name: str = "single_mapping") -> None:
        self.s = S if entity is None else entity
        self.mapping = _single_mappings(name)
        self.commune = func.coalesce(self.mapping.c.new_code, self.s.commune_code)

    def joined(self, stmt):
        return stmt.select_from(self.s).outerjoin(self.mapping, self.mapping.c.old_code == self.s.commune_code)

    def within(self, stmt, level: str, codes):
        """Only forms in the units `codes` of `level` (province, commune or village), on indexed columns."""
        codes, s = list(codes), self.s
        if level == "province":
            # The province's communes, today's and the old ones (all are units of the province).
            communes = select(Unit.code).where(Unit.level == "commune", Unit.province_code.in_(codes))
            return stmt.where(s.commune_code.in_(communes))
        if level == "commune":
            # A plain list of codes (the communes and the old ones mapped into them), so the index is used.
            old = db.session.execute(select(CommuneMapping.old_code).where(CommuneMapping.new_code.in_(codes))
                                     .distinct()).scalars().all()
            return stmt.where(s.commune_code.in_(sorted({*codes, *old})), self.commune.in_(codes))
        return stmt.where(s.village_code.in_(codes))

    def group_column(self, level: str):
        """The column that names the unit of `level` a form belongs to."""
        return self.commune if level == "commune" else self.s.village_code


def _bucket():
    """A form's review state reduced to what the bases and the coverage need."""
    return case((S.state == "recognised", "recognised"), (S.state.in_(tuple(sorted(SETTLED))), "approved"),
                else_="other")


BUCKETS = {"approved": ("approved", "recognised"), "recognised": ("recognised",),
           "submitted": ("approved", "recognised", "other")}


def _official(alias, code_column, year: int):
    """Join condition: `alias` (OfficialStatus) is the status of the unit `code_column` in force on 31/12 of
    `year` (the day the status page reads too; an import refuses overlapping periods, so at most one)."""
    day = date(year, 12, 31)
    return and_(alias.unit_code == code_column, alias.valid_from <= day,
                or_(alias.valid_to.is_(None), alias.valid_to > day))


def _status_flags(alias):
    """(in a DTTS&MN area, ĐBKK) read from an official status, NULL where the unit has none that day."""
    difficult = sorted(especially_difficult_statuses())
    return (case((alias.status.is_(None), null()), (alias.status == OUT_OF_SCOPE, False), else_=True),
            case((alias.status.is_(None), null()), (alias.status.in_(difficult), True), else_=False))


def _village_flags(years):
    """(year, village code) → its DTTS&MN and ĐBKK flags that year: the village's official status in force on
    31/12 of the year (server.indicators.status imports the approved lists), else the village's own flags,
    else its commune's official status, else the commune's flags."""
    parts = []
    for year in sorted(set(years)):
        commune = aliased(Unit, name="flag_commune")
        own, communes = aliased(OfficialStatus, name="own_status"), aliased(OfficialStatus, name="commune_status")
        (own_area, own_difficult), (commune_area, commune_difficult) = _status_flags(own), _status_flags(communes)
        parts.append(
            select(literal(year, literal_execute=True).label("year"), Unit.code.label("code"),
                   func.coalesce(own_area, Unit.in_dtts_mn_area, commune_area, commune.in_dtts_mn_area)
                   .label("dtts_mn_area"),
                   func.coalesce(own_difficult, Unit.is_especially_difficult, commune_difficult,
                                 commune.is_especially_difficult).label("especially_difficult"))
            .outerjoin(commune, commune.code == Unit.commune_code)
            .outerjoin(own, _official(own, Unit.code, year))
            .outerjoin(communes, _official(communes, Unit.commune_code, year))
            .where(Unit.level == "village"))
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("village_flags")


def unit_flags(year: int, units) -> dict[str, dict]:
    """code → {"in_dtts_mn_area", "is_especially_difficult"} of each unit in `year`: its official status in
    force on 31/12 of the year, else its own flags (the status block of the indicator rows)."""
    found = db.session.execute(select(OfficialStatus.unit_code, OfficialStatus.status).where(
        _official(OfficialStatus, OfficialStatus.unit_code, year),
        OfficialStatus.unit_code.in_([u.code for u in units]))).all()
    official = dict(found)
    difficult = especially_difficult_statuses()
    out = {}
    for u in units:
        status = official.get(u.code)
        out[u.code] = ({"in_dtts_mn_area": u.in_dtts_mn_area, "is_especially_difficult": u.is_especially_difficult}
                       if status is None else
                       {"in_dtts_mn_area": status != OUT_OF_SCOPE, "is_especially_difficult": status in difficult})
    return out


def cells(years, level: str, codes, group_level: str, flags: bool = True) -> list[dict]:
    """Every current household form not set aside of `years` in the units `codes` (of `level`), grouped by year,
    state bucket (`recognised`, `approved` = approved or agreed, `other`), unit of `group_level` (commune or
    village, labelled `unit`) and the attributes server.indicators.figures reads. One scan serves every basis
    (`BUCKETS`), the coverage and the previous year.

    `flags=False` (a province's communes only): without the village flags `dtts_mn_area` and
    `especially_difficult` (flag_cells() gives them), grouped in the order of ix_submissions_counted so that
    neither backend sorts the forms, the buckets and today's communes folded here."""
    f = Frame()
    # A province's forms all lie in its communes: they are grouped by the form's own commune and an old commune
    # is renamed to its new one here, after the GROUP BY (a join per form to the mappings cost a tenth of it).
    rename = level == "province" and group_level == "commune"
    if rename and not flags:
        keys = [S.review_year, S.commune_code, S.state, S.poverty_class, S.head_ethnicity, S.head_is_dtts, S.area,
                S.middle_income_agricultural]
        stmt = select(*keys, func.count(), func.sum(S.members_count)).select_from(S)
        stmt = f.within(counted(stmt, "submitted").where(S.review_year.in_(list(years))), level, codes)
        rows = db.session.execute(unscoped(stmt.group_by(*keys), AREA_CHECKED)).all()
        names = ("year", "bucket", "unit", "poverty_class", "head_ethnicity", "head_is_dtts", "area", "agricultural")
        return _fold(rows, names, _renames(f))
    flags_q = _village_flags(years)
    unit = (S.commune_code if rename else f.group_column(group_level)).label("unit")
    keys = [S.review_year.label("year"), _bucket().label("bucket"), unit, S.poverty_class, S.head_ethnicity,
            S.head_is_dtts, S.area, S.middle_income_agricultural.label("agricultural"), flags_q.c.dtts_mn_area,
            flags_q.c.especially_difficult]
    stmt = select(*keys, func.count().label("households"), func.sum(S.members_count).label("persons"))
    stmt = (stmt.select_from(S) if rename else f.joined(stmt)).outerjoin(
        flags_q, and_(flags_q.c.code == S.village_code, flags_q.c.year == S.review_year))
    stmt = f.within(counted(stmt, "submitted").where(S.review_year.in_(list(years))), level, codes)
    out = [dict(r) for r in _run(stmt.group_by(*keys))]
    if rename:
        new_code = _renames(f)
        for cell in out:
            cell["unit"] = new_code.get(cell["unit"], cell["unit"])
    return out


def flag_cells(years, level: str, codes) -> list[dict]:
    """The province's counted forms of `years` by year, state bucket, today's commune (`unit`), class and the
    village flags `dtts_mn_area` and `especially_difficult` (households, persons): the flag cuts and the
    DTTS&MN reading by area, beside cells(flags=False). Grouped by village in the order of
    ix_submissions_counted_class (no sort), the villages' flags looked up here."""
    f = Frame()
    keys = [S.review_year, S.poverty_class, S.commune_code, S.village_code, S.state]
    stmt = select(*keys, func.count(), func.sum(S.members_count)).select_from(S)
    stmt = f.within(counted(stmt, "submitted").where(S.review_year.in_(list(years))), level, codes)
    flags = {(r.year, r.code): (r.dtts_mn_area, r.especially_difficult)
             for r in db.session.execute(select(_village_flags(years)))}
    renames = _renames(f)
    out: dict[tuple, dict] = {}
    for year, cls, commune, village, state, households, persons in db.session.execute(
            unscoped(stmt.group_by(*keys), AREA_CHECKED)):
        dtts_mn, difficult = flags.get((year, village), (None, None))
        key = (year, _bucket_of(state), renames.get(commune, commune), cls, dtts_mn, difficult)
        cell = out.get(key)
        if cell is None:
            out[key] = {"year": key[0], "bucket": key[1], "unit": key[2], "poverty_class": cls,
                        "dtts_mn_area": dtts_mn, "especially_difficult": difficult, "households": households,
                        "persons": persons or 0}
        else:
            cell["households"] += households
            cell["persons"] += persons or 0
    return list(out.values())


def _renames(f: Frame) -> dict:
    """old commune code → today's, for the single mappings."""
    return dict(db.session.execute(select(f.mapping.c.old_code, f.mapping.c.new_code)).all())


def _bucket_of(state: str) -> str:
    """_bucket() in Python."""
    return "recognised" if state == "recognised" else "approved" if state in SETTLED else "other"


def _fold(rows, names, renames: dict) -> list[dict]:
    """Rows of (year, commune, state, …attributes, households, persons) as cells: the state made a bucket, the
    commune today's, rows that then share every key summed."""
    out: dict[tuple, dict] = {}
    for row in rows:
        key = (row[0], _bucket_of(row[2]), renames.get(row[1], row[1]), *row[3:-2])
        households, persons = row[-2], row[-1] or 0
        cell = out.get(key)
        if cell is None:
            out[key] = {**dict(zip(names, key)), "households": households, "persons": persons}
        else:
            cell["households"] += households
            cell["persons"] += persons
    return list(out.values())


def deficit_cells(year: int, level: str, codes, group_level: str, indicators) -> list[dict]:
    """The poor and near-poor forms of `year`, grouped by state bucket, unit and class, with their number of
    deficits (`deficits`) and the number deprived on each indicator k (`deficit_k`, from the bit mask)."""
    f = Frame()
    unit = f.group_column(group_level).label("unit")
    keys = [_bucket().label("bucket"), unit, S.poverty_class]
    bits = [func.sum(S.deficit_mask.op(">>")(k - 1).op("&")(1)).label(f"deficit_{k}") for k in indicators]
    stmt = select(*keys, func.count().label("households"), func.sum(S.members_count).label("persons"),
                  func.sum(S.deficit_count).label("deficits"), *bits)
    stmt = f.within(counted(f.joined(stmt), "submitted").where(
        S.review_year == year, S.poverty_class.in_(("poor", "near_poor"))), level, codes)
    return [dict(r) for r in _run(stmt.group_by(*keys))]


def flow_links(year: int, basis: str, level: str, codes, group_level: str,
               every_household: bool = False) -> list[dict]:
    """The §5.2 links between `year` − 1 and `year`, grouped by unit, both classes and the earlier-year flags.

    Households are linked by (today's commune, household_code). A code on more than one counted form in the
    same year (year or year − 1) cannot be linked: those forms count as unlinked, like forms without a code.
    Each linked household is placed in its current village (else last year's). One GROUP BY per household
    key, then one over the keys. Only the keys with a poor or near-poor form in either year are grouped (the
    others are in no flow row); `every_household=True` groups them all (the same result, slower: for tests).
    """
    prev = year - 1
    f = Frame()
    cy, py = S.review_year == year, S.review_year == prev

    def when(cond, value, else_=None):
        return case((cond, value), else_=else_)

    def n(cond):
        return func.sum(when(cond, 1, 0))

    def persons(cond):
        return func.sum(when(cond, S.members_count, 0))

    poor, near = S.poverty_class == "poor", S.poverty_class == "near_poor"
    poor_or_near = S.poverty_class.in_(("poor", "near_poor"))
    aggregates = [
        n(cy).label("cur_n"), n(py).label("prev_n"),
        func.max(when(cy, S.poverty_class)).label("cur_class"), func.max(when(py, S.poverty_class)).label("prev_class"),
        func.max(when(cy, S.members_count)).label("cur_persons"),
        func.max(when(py, S.members_count)).label("prev_persons"),
        func.max(when(cy, S.village_code)).label("cur_village"),
        func.max(when(py, S.village_code)).label("prev_village"),
        func.max(when(and_(S.review_year < prev, poor), 1, 0)).label("earlier_poor"),
        func.max(when(and_(S.review_year < prev, near), 1, 0)).label("earlier_near_poor"),
        # For a key that cannot be linked: its forms by year and layout class.
        n(and_(cy, poor)).label("cur_poor_n"), persons(and_(cy, poor)).label("cur_poor_p"),
        n(and_(cy, near)).label("cur_near_n"), persons(and_(cy, near)).label("cur_near_p"),
        n(and_(py, poor)).label("prev_poor_n"), persons(and_(py, poor)).label("prev_poor_p"),
        n(and_(py, near)).label("prev_near_n"), persons(and_(py, near)).label("prev_near_p")]
    years_read = and_(S.review_year <= year, or_(S.review_year >= prev, S.household_code.is_not(None)))
    in_either = func.sum(when(S.review_year.in_((year, prev)), 1, 0)) >= 1
    if every_household:
        no_code_village = when(S.household_code.is_(None), S.village_code)
        per_key = select(f.commune.label("commune"), S.household_code.label("code"),
                         no_code_village.label("no_code_village"), *aggregates)
        per_key = f.within(counted(f.joined(per_key), basis).where(years_read), level, codes)
        per_key = (per_key.group_by(f.commune, S.household_code, no_code_village)
                   .having(in_either)).subquery("per_key")
    else:
        # Only the households poor or near-poor in a counted form of either year can be in a flow row (one of
        # neither class both years is in no row of either layout), about a tenth of them. Their keys (today's
        # commune, household_code) are read from ix_submissions_counted_class, then their forms of every year
        # through ix_submissions_household (the key's commune and the old communes mapped into it); the forms
        # without a code are their own key, read when poor or near-poor.
        k_s = aliased(Submission, name="flow_key")
        kf = Frame(k_s, "key_mapping")
        keys = kf.within(counted(kf.joined(select(kf.commune.label("commune"),
                                                   k_s.household_code.label("code"))), basis, k_s).where(
            k_s.review_year.in_((year, prev)), k_s.household_code.is_not(None),
            k_s.poverty_class.in_(("poor", "near_poor"))), level, codes).distinct().subquery("flow_keys")
        aliases = _commune_aliases()
        # (commune code as filed, household_code) of every form of those households: an IN list that both
        # backends turn into lookups on ix_submissions_household. A MATERIALIZED CTE, so it is worked out once:
        # inlined, PostgreSQL without statistics (tables just loaded, before autovacuum's ANALYZE) estimated one
        # row everywhere and ran the keys' join again for each key of each form: 3 million times, 43 s, for
        # 2,500 poor households (tests/indicators/test_indicators_queries.py, "…before_statistics"). Without
        # statistics it is still one scan of the kept keys for each form (0.7 s there).
        raw_keys = (select(aliases.c.raw, keys.c.code).select_from(keys)
                    .join(aliases, aliases.c.today == keys.c.commune)
                    .cte("flow_raw_keys").prefix_with("MATERIALIZED"))
        household = tuple_(S.commune_code, S.household_code)
        coded = select(f.commune.label("commune"), S.household_code.label("code"),
                       null().label("no_code_village"), *aggregates)
        coded = f.within(counted(f.joined(coded), basis).where(
            years_read, household.in_(select(raw_keys.c.raw, raw_keys.c.code))), level, codes)
        coded = coded.group_by(f.commune, S.household_code).having(in_either)
        no_code = select(f.commune.label("commune"), null().label("code"), S.village_code.label("no_code_village"),
                         *aggregates)
        no_code = f.within(counted(f.joined(no_code), basis).where(
            S.household_code.is_(None), poor_or_near, S.review_year.in_((year, prev))), level, codes)
        no_code = no_code.group_by(f.commune, S.village_code)
        per_key = union_all(coded, no_code).subquery("per_key")
    k = per_key.c
    linked = and_(k.code.is_not(None), k.cur_n <= 1, k.prev_n <= 1)
    if group_level == "commune":
        unit = k.commune
    else:
        unit = func.coalesce(k.no_code_village, k.cur_village, k.prev_village)
    delta = func.coalesce(k.cur_persons, 0) - func.coalesce(k.prev_persons, 0)
    group = [unit.label("unit"), when(linked, 1, 0).label("linked"), when(linked, k.prev_class).label("prev_class"),
             when(linked, k.cur_class).label("cur_class"), when(linked, k.earlier_poor, 0).label("earlier_poor"),
             when(linked, k.earlier_near_poor, 0).label("earlier_near_poor")]
    sums = [func.count().label("households"),
            func.sum(func.coalesce(k.prev_persons, 0)).label("prev_persons"),
            func.sum(func.coalesce(k.cur_persons, 0)).label("cur_persons"),
            func.sum(when(delta > 0, delta, 0)).label("gain"), func.sum(when(delta < 0, -delta, 0)).label("loss"),
            *(func.sum(getattr(k, c)).label(c) for c in ("cur_poor_n", "cur_poor_p", "cur_near_n", "cur_near_p",
                                                         "prev_poor_n", "prev_poor_p", "prev_near_n", "prev_near_p"))]
    stmt = select(*group, *sums).group_by(*group)
    out = []
    for r in _run(stmt):
        if r["linked"]:
            out.append({"unit": r["unit"], "linked": True, "prev_class": r["prev_class"], "cur_class": r["cur_class"],
                        "earlier_poor": bool(r["earlier_poor"]), "earlier_near_poor": bool(r["earlier_near_poor"]),
                        "households": r["households"], "prev_persons": int(r["prev_persons"] or 0),
                        "cur_persons": int(r["cur_persons"] or 0), "gain": int(r["gain"] or 0),
                        "loss": int(r["loss"] or 0)})
            continue
        for side, cls, short in (("cur", "poor", "poor"), ("cur", "near_poor", "near"), ("prev", "poor", "poor"),
                                 ("prev", "near_poor", "near")):
            count = int(r[f"{side}_{short}_n"] or 0)
            if count:
                people = int(r[f"{side}_{short}_p"] or 0)
                out.append({"unit": r["unit"], "linked": False, "households": count, "earlier_poor": False,
                            "earlier_near_poor": False, "prev_class": cls if side == "prev" else None,
                            "cur_class": cls if side == "cur" else None,
                            "prev_persons": people if side == "prev" else 0,
                            "cur_persons": people if side == "cur" else 0})
    return out


def in_force(year: int):
    """SQL condition on Unit: in force at some time during `year`."""
    return and_(Unit.valid_from <= date(year, 12, 31), or_(Unit.valid_to.is_(None), Unit.valid_to > date(year, 1, 1)))


def villages_with_counts(year: int, level: str, code: str) -> list[dict]:
    """The villages (in force during `year`) of a unit, with their resident count of the year and their flags."""
    flags = _village_flags([year])
    column = {"province": Unit.province_code, "commune": Unit.commune_code, "village": Unit.code}[level]
    stmt = (select(Unit.code, Unit.commune_code, Unit.province_code, UnitHouseholdCount.households,
                   UnitHouseholdCount.persons, flags.c.dtts_mn_area)
            .outerjoin(UnitHouseholdCount, and_(UnitHouseholdCount.unit_code == Unit.code,
                                                UnitHouseholdCount.year == year))
            .outerjoin(flags, flags.c.code == Unit.code)
            .where(Unit.level == "village", column == code, in_force(year)))
    return [dict(r) for r in db.session.execute(stmt).mappings()]


def own_counts(year: int, codes) -> dict[str, tuple]:
    """Resident counts stored for the units themselves (communes, the province), where a file gave them."""
    stmt = select(UnitHouseholdCount.unit_code, UnitHouseholdCount.households, UnitHouseholdCount.persons).where(
        UnitHouseholdCount.year == year, UnitHouseholdCount.unit_code.in_(list(codes)))
    return {r.unit_code: (r.households, r.persons) for r in db.session.execute(stmt)}


def commune_codes(unit: Unit) -> list[str]:
    """Every commune code the forms of a commune's or village's table can carry: its commune's, and those of the
    old communes mapped into it (whatever the mapping's shape: a superset of what the queries read)."""
    commune = unit.code if unit.level == "commune" else unit.commune_code
    old = db.session.execute(select(CommuneMapping.old_code).where(CommuneMapping.new_code == commune)).scalars()
    return sorted({commune, *old})


def children(unit: Unit, year: int) -> list[Unit]:
    """The unit's child units in force during `year`, by code."""
    stmt = select(Unit).where(Unit.parent_code == unit.code, in_force(year)).order_by(Unit.code)
    return list(db.session.execute(stmt).scalars())


def group_by_commune_class(year: int) -> list[tuple]:
    """The baseline of the benchmark: one hand-written GROUP BY commune_code, poverty_class over the same rows."""
    stmt = (select(S.commune_code, S.poverty_class, func.count(), func.sum(S.members_count))
            .where(S.kind == literal("household", literal_execute=True), S.duplicate_of_id.is_(None),
                   S.review_year == year, S.state.in_(BASIS_STATES["approved"]))
            .group_by(S.commune_code, S.poverty_class))
    return list(db.session.execute(unscoped(stmt, "benchmark baseline")).all())


__all__ = ["BASES", "BUCKETS", "Frame", "counted", "cells", "unit_flags", "commune_codes", "flag_cells",
           "deficit_cells", "flow_links", "villages_with_counts", "own_counts", "children", "group_by_commune_class"]
