"""Benchmark the indicators: the full province table against one hand-written GROUP BY, the read after an
approval, and the dashboard page, on a synthetic province.

    .venv/bin/python bench/indicators.py [--households 200000] [--postgres] [--postgres-url URL] [--repeat 5]
                                         [--dashboard-requests 30] [--seed 1]

A throwaway database (a fresh SQLite file; with `--postgres`, a database `rasoat_bench_<random>` on the local
server, dropped at the end) is migrated to head, loaded with Lạng Sơn's communes (vietnam-provinces) and
villages of about 120 households each spread over them, with resident counts for both years. Every household
gets one form in 2025 (all recognised) and one in 2026 (70 % approved or further, 20 % submitted, 10 %
returned), written with bulk INSERTs (not through ingest: this measures the reading side), then `ANALYZE` (on
PostgreSQL `VACUUM ANALYZE`, as autovacuum would leave the table: index-only scans need the visibility map). Classes follow
Lạng Sơn's rates (about 3 % poor, 7 % near-poor, 15 % middle), carried from year to year with some moves; 1 % of
the forms have no household code; heads are 85 % DTTS.

Printed, each the median of `--repeat` warm runs:
- `province_table_s`: indicator_table(2026) of the province: every commune, every key (flows, cuts, deficits,
  coverage, year-on-year change, both DTTS&MN readings), as a request gets it while nothing changed (the table
  kept by server.indicators.cache); `computed_s`: the same table computed from the forms (nothing kept), and
  `ratio_computed` its ratio to the GROUP BY;
- `ratio_groupby`: that time over one hand-written `GROUP BY commune_code, poverty_class` over the same rows
  (approved basis, 2026), measured in the same run (goal ≤ 1.5);
- `after_approval_ms`: a supervisor approves one form (server.review.operations.act, committed), then reads
  their commune's table; the figure includes the form at once (checked); `after_approval_province_ms`: another
  approval, then the province's table (computed again);
- `dashboard_p95_ms`: the warm p95 of GET /indicators/ (H3's dashboard) for a provincial officer (goal ≤ 300),
  `na` when that page is not there.
Last line: `RESULT province_table_s=… ratio_groupby=… after_approval_ms=… dashboard_p95_ms=… computed_s=…
ratio_computed=… after_approval_province_ms=…`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
YEARS = (2025, 2026)
VILLAGE_SIZE = 120
ETHNIC = ["tay"] * 40 + ["nung"] * 35 + ["kinh"] * 15 + ["dao"] * 7 + ["hoa", "mong", "san_chay"]
# Next year's class given this year's (weights for poor, near_poor, middle, not_poor).
MOVES = {"poor": (55, 30, 10, 5), "near_poor": (8, 60, 20, 12), "middle": (1, 6, 70, 23), "not_poor": (0.5, 2, 7, 90.5)}
FIRST = (3, 7, 15, 75)
CLASSES = ("poor", "near_poor", "middle", "not_poor")


def migrate(url: str) -> None:
    from alembic import command

    from server.cli import alembic_config
    from server.core.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    engine.dispose()


def new_postgres(admin_url: str):
    from ingest import new_postgres as make  # the same throwaway database as the ingest benchmark

    return make(admin_url)


def populate(app, households: int, rng: random.Random) -> dict:
    """Places, users, decisions and 2 × `households` forms. Returns the people and codes the timings need."""
    from sqlalchemy import insert, select, text

    from server.accounts.operations import create_user
    from server.extensions import db
    from server.places.models import Unit
    from server.places.operations import import_villages, load_province
    from server.review.models import CommuneDecision
    from server.submissions.models import Submission

    with app.app_context():
        load_province("20")
        communes = list(db.session.execute(select(Unit.code).where(Unit.level == "commune",
                                                                   Unit.province_code == "20")).scalars())
        n_villages = max(1, households // VILLAGE_SIZE)
        lines = ["commune_code,village_code,name,households_2025,persons_2025,households_2026,persons_2026,"
                 "in_dtts_mn_area"]
        villages = []
        for i in range(n_villages):
            commune = communes[i % len(communes)]
            code = f"B-{commune}-{i:05d}"
            villages.append((code, commune))
            lines.append(f"{commune},{code},Thôn Đo {i:05d},{VILLAGE_SIZE + 2},{VILLAGE_SIZE * 4},"
                         f"{VILLAGE_SIZE + 3},{VILLAGE_SIZE * 4 + 5},{int(rng.random() < 0.8)}")
        import_villages("\n".join(lines) + "\n", source="bench")
        officer = create_user(None, username="bench.officer", full_name="Cán Bộ Tỉnh", role="officer",
                              unit_code="20", password="bench-officer-password")
        commune = villages[0][1]
        supervisor = create_user(None, username="bench.sup", full_name="Cán Bộ Xã", role="supervisor",
                                 unit_code=commune, password="bench-supervisor-password")
        decisions = {}
        for c in communes:
            d = CommuneDecision(commune_code=c, number=f"QĐ-{c}", signed_on=datetime(2026, 12, 1).date(),
                                recorded_by=officer.id)
            db.session.add(d)
            decisions[c] = d
        db.session.flush()
        decision_ids = {c: d.id for c, d in decisions.items()}
        officer_id, supervisor_id = officer.id, supervisor.id
        db.session.commit()
        table = Submission.__table__
        now = datetime.now(timezone.utc)
        batch, started = [], time.perf_counter()
        classes = {}

        def flush():
            if batch:
                db.session.execute(insert(table), batch)
                batch.clear()

        for year in YEARS:
            for h in range(households):
                village, commune_code = villages[h % n_villages]
                if year == YEARS[0]:
                    cls = rng.choices(CLASSES, FIRST)[0]
                    state = "recognised"
                else:
                    cls = rng.choices(CLASSES, MOVES[classes[h]])[0]
                    r = rng.random()
                    state = ("approved" if r < 0.4 else "agreed" if r < 0.55 else "recognised" if r < 0.7
                             else "submitted" if r < 0.9 else "returned")
                classes[h] = cls
                n_def = {"poor": rng.randint(3, 6), "near_poor": rng.randint(0, 2)}.get(cls, rng.randint(0, 2))
                deficits = rng.sample(range(1, 13), n_def)
                ethnicity = rng.choice(ETHNIC)
                fid = str(uuid.uuid4())
                batch.append({
                    "kind": "household", "first_id": fid, "current_id": fid, "version": 1, "revision": 1,
                    "state": state, "review_year": year, "review_type": "periodic", "commune_code": commune_code,
                    "village_code": village, "household_code": None if rng.random() < 0.01 else f"HH{h:07d}",
                    "area": "rural", "submitted_by": officer_id, "head_name": f"Chủ Hộ {h}",
                    "head_name_key": f"chu ho {h}", "head_ethnicity": ethnicity, "head_is_dtts": ethnicity != "kinh",
                    "middle_income_agricultural": cls == "middle" and rng.random() < 0.4,
                    "members_count": rng.randint(1, 8), "rule_set": "2022-2026", "poverty_class": cls,
                    "deficit_mask": sum(1 << (k - 1) for k in deficits), "deficit_count": n_def,
                    "decision_id": decision_ids[commune_code] if state == "recognised" else None,
                    "created_at": now, "updated_at": now, "change_seq": 0})
                if len(batch) >= 5000:
                    flush()
        flush()
        db.session.commit()
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            # As autovacuum leaves a table soon after a load: statistics and the visibility map (without it an
            # index-only scan still reads every row).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        print(f"  wrote {2 * households:,} forms in {time.perf_counter() - started:.1f} s ({dialect})")
        db.session.remove()
    return {"officer_id": officer_id, "supervisor_id": supervisor_id, "commune": commune}


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(app, people: dict, args) -> dict:
    from sqlalchemy import select

    from server.accounts.models import User
    from server.core.scoping import unscoped
    from server.extensions import db
    from server.indicators.operations import indicator_table
    from server.indicators.queries import group_by_commune_class
    from server.review.operations import act
    from server.submissions.models import Submission, SubmissionVersion

    out = {}
    with app.test_request_context():
        year = YEARS[1]
        indicator_table(year, "20")  # warm: rule files, query plans, and the table kept (server.indicators.cache)
        group_by_commune_class(year)
        out["province_table_s"] = median_time(lambda: indicator_table(year, "20"), args.repeat)

        def computed():
            app.extensions.pop("rasoat_indicator_cache", None)   # nothing kept: computed from the forms
            return indicator_table(year, "20")

        out["computed_s"] = median_time(computed, args.repeat)
        out["groupby_s"] = median_time(lambda: group_by_commune_class(year), args.repeat)
        db.session.rollback()
        out["ratio_groupby"] = out["province_table_s"] / out["groupby_s"]
        out["ratio_computed"] = out["computed_s"] / out["groupby_s"]
        commune = people["commune"]
        supervisor = db.session.execute(unscoped(select(User).where(User.id == people["supervisor_id"]),
                                                 "bench")).scalar_one()
        form = db.session.execute(unscoped(select(Submission).where(
            Submission.commune_code == commune, Submission.review_year == year, Submission.state == "submitted")
            .limit(1), "bench")).scalar_one()
        # The forms were written without their versions; the history step of an approval names one.
        db.session.add(SubmissionVersion(id=form.current_id, submission_id=form.id, number=1,
                                         commune_code=form.commune_code, village_code=form.village_code, content={},
                                         content_sha256="0" * 64, received_by=people["officer_id"]))
        db.session.commit()
        before = indicator_table(year, commune, actor=supervisor)["rows"][-1]
        cls = form.poverty_class
        t = time.perf_counter()
        act(supervisor, form, "approve", revision=form.revision)
        db.session.commit()
        after = indicator_table(year, commune, actor=supervisor)["rows"][-1]
        out["after_approval_ms"] = (time.perf_counter() - t) * 1000
        assert after[cls] == before[cls] + 1, "the approval is not in the figures"
        out["commune_table_ms"] = median_time(lambda: indicator_table(year, commune, actor=supervisor),
                                              args.repeat) * 1000
        # The province's table after that approval: every commune computed again (nothing kept is current).
        indicator_table(year, "20")
        other = db.session.execute(unscoped(select(Submission).where(
            Submission.commune_code == commune, Submission.review_year == year, Submission.state == "submitted")
            .limit(1), "bench")).scalar_one()
        db.session.add(SubmissionVersion(id=other.current_id, submission_id=other.id, number=1,
                                         commune_code=other.commune_code, village_code=other.village_code,
                                         content={}, content_sha256="0" * 64, received_by=people["officer_id"]))
        db.session.commit()
        t = time.perf_counter()
        act(supervisor, other, "approve", revision=other.revision)
        db.session.commit()
        indicator_table(year, "20")
        out["after_approval_province_ms"] = (time.perf_counter() - t) * 1000
        db.session.remove()
    out["dashboard_p95_ms"] = dashboard_p95(app, people, args)
    return out


def dashboard_p95(app, people: dict, args):
    """The warm p95 of GET /indicators/ for the provincial officer, or None when the page is not there."""
    if "indicators.home" not in app.view_functions:
        print("  dashboard: /indicators/ is not registered (H3's page): dashboard_p95_ms=na")
        return None
    client = app.test_client()
    with client.session_transaction() as sess:
        from sqlalchemy import select

        from server.accounts.models import User
        from server.core.scoping import unscoped
        from server.extensions import db

        with app.app_context():
            user = db.session.execute(unscoped(select(User).where(User.id == people["officer_id"]),
                                               "bench")).scalar_one()
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
            db.session.remove()
    first = client.get(f"/indicators/?year={YEARS[1]}")
    if first.status_code != 200:
        print(f"  dashboard: GET /indicators/ answered {first.status_code}: dashboard_p95_ms=na")
        return None
    times = []
    for _ in range(args.dashboard_requests):
        t = time.perf_counter()
        response = client.get(f"/indicators/?year={YEARS[1]}")
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    times.sort()
    print(f"  dashboard: {len(first.data):,} bytes, median {statistics.median(times):.0f} ms")
    return times[max(0, int(round(0.95 * len(times))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL database")
    parser.add_argument("--postgres-url", default=os.environ.get("RASOAT_BENCH_POSTGRES_URL", DEFAULT_PG_ADMIN))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dashboard-requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from server import create_app

    tmp = Path(tempfile.mkdtemp(prefix="rasoat-bench-indicators-"))
    drop = None
    if args.postgres:
        url, drop = new_postgres(args.postgres_url)
        if url is None:
            sys.exit(f"postgresql: {drop}")
    else:
        url = f"sqlite:///{tmp / 'bench.db'}"
    backend = "postgresql" if args.postgres else "sqlite"
    print(f"indicators benchmark: {args.households:,} households × {len(YEARS)} years on {backend}")
    try:
        migrate(url)
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench-secret",
                          "WTF_CSRF_ENABLED": False})
        people = populate(app, args.households, random.Random(args.seed))
        out = measure(app, people, args)
        app.extensions["rasoat_engine"].dispose()
    finally:
        if drop is not None:
            drop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"  province table (every commune, every key), kept:     {out['province_table_s']:.3f} s")
    print(f"  province table computed from the forms (none kept):  {out['computed_s']:.3f} s")
    print(f"  GROUP BY commune_code, poverty_class:                 {out['groupby_s']:.3f} s")
    print(f"  ratio kept/GROUP BY {out['ratio_groupby']:.2f} (goal ≤ 1.5: "
          f"{'PASS' if out['ratio_groupby'] <= 1.5 else 'MISS'}); computed/GROUP BY {out['ratio_computed']:.2f}")
    print(f"  approve one form, then read its commune:   {out['after_approval_ms']:.0f} ms "
          f"(commune table alone, kept {out['commune_table_ms']:.0f} ms)")
    print(f"  approve one form, then read the province:  {out['after_approval_province_ms']:.0f} ms")
    p95 = out["dashboard_p95_ms"]
    if p95 is not None:
        print(f"  dashboard /indicators/ warm p95:           {p95:.0f} ms "
              f"(goal ≤ 300: {'PASS' if p95 <= 300 else 'MISS'})")
    print(f"RESULT province_table_s={out['province_table_s']:.3f} ratio_groupby={out['ratio_groupby']:.2f} "
          f"after_approval_ms={out['after_approval_ms']:.0f} "
          f"dashboard_p95_ms={'na' if p95 is None else f'{p95:.0f}'} computed_s={out['computed_s']:.3f} "
          f"ratio_computed={out['ratio_computed']:.2f} "
          f"after_approval_province_ms={out['after_approval_province_ms']:.0f}")


if __name__ == "__main__":
    main()
