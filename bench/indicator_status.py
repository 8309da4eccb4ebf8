"""Benchmark: official beside indicative status of every unit of a province (server.indicators.status).

    .venv/bin/python bench/indicator_status.py [--villages 1650] [--repeat 3]

Builds a throw-away SQLite database with Lạng Sơn's 65 communes (vietnam-provinces), `--villages` fabricated
villages with resident counts and an official status each, then times `status_changes(2025, "20")` (every commune
and village: review figures by commune, external figures, the rule engine per unit, official statuses) and, in
the same run, the rule engine alone on as many units (`unit_status` through `indicative_status`), the floor of
the first. No household forms: every unit takes the rule engine's path with its resident count only, which costs
what a reviewed unit costs (the engine's time is dominated by reading its criteria file). Last line:
`RESULT province_status_s=… units=… engine_alone_s=… ratio_engine=…`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=1650)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from live_db import migrate
    from sqlalchemy import select

    from server import create_app
    from server.extensions import db

    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/bench.sqlite3"
    migrate(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        from server.indicators import status as st
        from server.places.models import Unit
        from server.places.operations import import_villages, load_province

        load_province("20")
        communes = db.session.execute(select(Unit.code).where(Unit.level == "commune")).scalars().all()
        lines = ["commune_code,village_code,name,households_2025"]
        lines += [f"{communes[i % len(communes)]},B-{i:05d},Thôn {i},{100 + i % 50}" for i in range(args.villages)]
        import_villages("\n".join(lines) + "\n", source="bench")
        rows = ["unit_code,status,decision,valid_from"]
        rows += [f"B-{i:05d},{'dbkk' if i % 5 == 0 else 'not_dbkk'},QĐ bench,2021-06-18" for i in range(args.villages)]
        st.import_statuses("\n".join(rows) + "\n", source="bench")
        db.session.commit()
        times, units = [], 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            result = st.status_changes(2025, "20")
            times.append(time.perf_counter() - t)
            units = len(result["rows"])
        t = time.perf_counter()
        for i in range(units):
            st.indicative_status("village", 2025, {"households": 100 + i % 50}, {}, criteria="qd-33-2020")
        engine = time.perf_counter() - t
    best = min(times)
    print(f"status_changes(2025, province): {units} units, best of {args.repeat}: {best:.2f} s "
          f"(median {statistics.median(times):.2f} s)")
    print(f"the rule engine alone on {units} units: {engine:.2f} s")
    print(f"RESULT province_status_s={best:.3f} units={units} engine_alone_s={engine:.3f} "
          f"ratio_engine={best / engine:.2f}")


if __name__ == "__main__":
    main()
