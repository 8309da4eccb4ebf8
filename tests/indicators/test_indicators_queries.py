"""The set-based queries' shortcuts give what the plain queries give: the flows' per-household GROUP BY reads
only the households poor or near-poor in either year (server.indicators.queries.flow_links) and must find the
same links as grouping every household; the partial covering indexes the queries rely on exist; on PostgreSQL
without statistics the flows' plan runs no step once per pair of forms."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, select, text

from live_db import migrate, new_database
from province import C1, C2, C3, OLD, PROVINCE, V1A, V1B, V2A, V3A, V3B, VOLD
from server import create_app
from server.accounts.operations import create_user
from server.core.scoping import unscoped
from server.extensions import db
from server.indicators import queries
from server.indicators.flows import flows, identity_holds
from server.places.operations import import_villages, load_province
from server.review.models import CommuneDecision
from server.submissions.models import Submission

VILLAGES = {V1A: C1, V1B: C1, V2A: C2, V3A: C3, V3B: C3, VOLD: OLD}
CLASSES = ("poor", "near_poor", "middle", "not_poor")
STATES = ("submitted", "approved", "agreed", "recognised", "returned", "resurvey")


def _random_forms(session, province, rng: random.Random, n: int) -> None:
    """`n` forms over 2025-2027 with few household codes (so codes repeat within a year, across years and
    between the old commune and the one it maps to), some without a code, some set aside."""
    decision = {d.commune_code: d.id for d in session.execute(
        unscoped(select(CommuneDecision), "test")).scalars()}
    made = []
    for i in range(n):
        village = rng.choice(list(VILLAGES))
        commune = VILLAGES[village]
        year = rng.choice((2025, 2026, 2026, 2027, 2027))
        state = rng.choice(STATES)
        cls = rng.choice(CLASSES)
        fid = str(uuid.uuid4())
        row = Submission(
            kind="household", first_id=fid, current_id=fid, version=1, revision=1, state=state, review_year=year,
            review_type="periodic", commune_code=commune, village_code=village,
            household_code=None if rng.random() < 0.1 else f"R{rng.randint(1, 25)}",
            area="urban" if commune == C2 else "rural", submitted_by=province.officer.id, head_name=f"R {i}",
            head_name_key=f"r {i}", head_ethnicity="tay", head_is_dtts=True, members_count=rng.randint(1, 7),
            interview_started_at=datetime(year, 10, 1, tzinfo=timezone.utc),
            rule_set="2027-2030" if year >= 2027 else "2022-2026", poverty_class=cls,
            deficit_mask=3 if cls in ("poor", "near_poor") else 0, deficit_count=2 if cls == "poor" else 0,
            decision_id=decision[commune] if state == "recognised" else None,
            duplicate_of_id=made[-1] if made and rng.random() < 0.05 else None, change_seq=0)
        session.add(row)
        session.flush()
        made.append(row.id)


def _by_unit(links) -> dict:
    """unit → its flows, both layouts (what the table shows)."""
    units: dict[str, list] = {}
    for link in links:
        units.setdefault(link["unit"], []).append(link)
    return {unit: (flows(ls, "poor"), flows(ls, "near_poor")) for unit, ls in units.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flows_read_only_poor_and_near_poor_households_yet_find_the_same_links(session, province, seed):
    _random_forms(session, province, random.Random(seed), 220)
    session.commit()
    for year in (2026, 2027):
        for basis in queries.BASES:
            for level, code, group_level in (("province", PROVINCE, "commune"), ("commune", C1, "village"),
                                             ("village", V3A, "village")):
                fast = queries.flow_links(year, basis, level, [code], group_level)
                every = queries.flow_links(year, basis, level, [code], group_level, every_household=True)
                fast_flows, every_flows = _by_unit(fast), _by_unit(every)
                # A unit whose households are neither poor nor near-poor either year has no flows at all.
                empty = (flows([], "poor"), flows([], "near_poor"))
                assert {u: f for u, f in every_flows.items() if f != empty} == fast_flows, (year, basis, level)
                assert sum(f[0]["households"]["begin"] + f[0]["households"]["end"] for f in fast_flows.values())
                for poor, near in fast_flows.values():
                    for layout, out in (("poor", poor), ("near_poor", near)):
                        assert identity_holds(out["households"], layout) and identity_holds(out["persons"], layout)


def test_the_partial_covering_indexes_exist(session):
    indexes = {i["name"]: i["column_names"] for i in inspect(session.connection()).get_indexes("submissions")}
    assert indexes["ix_submissions_counted"][:2] == ["review_year", "commune_code"]
    assert indexes["ix_submissions_counted_class"][:2] == ["review_year", "poverty_class"]


def _sums(cells, names) -> dict:
    """households and persons of the cells summed by the attributes `names`."""
    out: dict[tuple, list] = {}
    for c in cells:
        total = out.setdefault(tuple(c.get(n) for n in names), [0, 0])
        total[0] += c["households"]
        total[1] += c["persons"] or 0
    return out


def test_a_provinces_cells_without_flags_and_its_flag_cells_add_up_to_the_full_cells(session, province):
    """The province table on SQLite reads two groupings that follow an index instead of one (operations.
    indicator_table): they must count what the full grouping counts, attribute by attribute."""
    _random_forms(session, province, random.Random(7), 220)
    session.commit()
    years = [2026, 2027]
    full = queries.cells(years, "province", [PROVINCE], "commune")
    bare = queries.cells(years, "province", [PROVINCE], "commune", flags=False)
    by_flag = queries.flag_cells(years, "province", [PROVINCE])
    common = ("year", "bucket", "unit", "poverty_class")
    attributes = (*common, "head_ethnicity", "head_is_dtts", "area", "agricultural")
    flag_keys = (*common, "dtts_mn_area", "especially_difficult")
    assert _sums(bare, attributes) == _sums(full, attributes)
    assert _sums(by_flag, flag_keys) == _sums(full, flag_keys)
    assert {c["unit"] for c in by_flag} <= {C1, C2, C3}  # the old commune's forms are counted in C1
    assert sum(c["households"] for c in by_flag) == sum(c["households"] for c in full) > 0


def _plan_nodes(node: dict):
    """Every node of an EXPLAIN (FORMAT JSON) plan."""
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def test_no_step_of_the_flows_runs_once_per_pair_of_forms_before_statistics(tmp_path, monkeypatch):
    """PostgreSQL right after a bulk load (a new installation's first imports, a restore, before autovacuum's
    ANALYZE) has no statistics on the places and the forms and estimates one row at every step. The flows must
    still find the households' keys (commune as filed, household code) once, not once for each form and key: no
    step of their plan runs more often than there are forms. Written inline, the keys' join ran 3 million times
    for 2,500 poor households (43 s: the officer's dashboard timed out)."""
    households = 2500
    url, drop = new_database("postgresql", tmp_path)   # a plan's loops are PostgreSQL's (EXPLAIN ANALYZE)
    try:
        migrate(url)
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "plan",
                          "TESTING": True})
        with app.app_context():
            # Everything in one transaction, as a first import leaves it: no table has statistics yet.
            load_province("20")
            import_villages("commune_code,village_code,name\n06529,K-06529-01,Thôn Kế Hoạch\n", source="tests")
            officer = create_user(None, username="cb.tinh", full_name="Cán bộ tỉnh", role="officer",
                                  unit_code="20", password="plan-test-password")
            rows = []
            for i in range(households):
                fid = str(uuid.uuid4())
                rows.append(dict(kind="household", first_id=fid, current_id=fid, version=1, revision=1,
                                 state="approved", review_year=2026, review_type="periodic", commune_code="06529",
                                 village_code="K-06529-01", household_code=f"K-{i:05d}", area="rural",
                                 submitted_by=officer.id, head_name=f"K {i}", head_ethnicity="tay",
                                 head_is_dtts=True, members_count=3, rule_set="2022-2026", poverty_class="poor",
                                 deficit_mask=0b101, deficit_count=2, change_seq=0))
            db.session.execute(Submission.__table__.insert(), rows)
            db.session.commit()
            analysed = db.session.execute(text(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('submissions', 'units') "
                "AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)")).scalar()
            assert analysed == 0, "the test needs tables without statistics"
            plans = []

            def explain(stmt):
                compiled = unscoped(stmt, queries.AREA_CHECKED).compile(
                    dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
                plans.append(db.session.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}")).scalar())
                return []

            monkeypatch.setattr(queries, "_run", explain)
            queries.flow_links(2026, "approved", "province", ["20"], "commune")
            db.session.rollback()
            db.session.remove()
        app.extensions["rasoat_engine"].dispose()
    finally:
        drop()
    (plan,) = plans
    loops = max(n.get("Actual Loops", 1) for n in _plan_nodes(plan[0]["Plan"]))
    assert loops <= households, f"a step of the flows ran {loops} times for {households} forms"
