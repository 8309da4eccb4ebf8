"""Benchmark the export writers: household-list rows to XLSX, CSV and JSON Lines, against the bare libraries.

    .venv/bin/python bench/export.py [--rows 200000] [--seed 1] [--repeat 1] [--source synthetic]

Issue 13's benchmark. Each export runs in a fresh process (ru_maxrss is the whole process's high-water mark, so
one process per export makes each peak its own), rows produced lazily by the source as the writer asks for them:
server/exports/writers.py (`write_xlsx`, `write_csv`, `write_jsonl`) and, in the same run, the bare libraries
writing the same rows: XlsxWriter's constant_memory mode with `write_row` (URL detection off, its fastest row
call), a plain `csv.writer(...).writerows` to a utf-8-sig text file, and `json.dumps` per line. A last process only
draws the rows from the source, for the source's own cost and the interpreter's baseline memory.

Prints rows per second, the peak RSS and the file size of each, the ratio ours / bare for each format, then one
line: `RESULT xlsx_rows_s=… csv_rows_s=… jsonl_rows_s=… ratio_xlsx=… ratio_csv=… ratio_jsonl=… peak_mb=…`
(peak_mb: the largest of our three). Goals: peak ≤ 200 MB whatever the number of rows; every ratio ≥ 0.5.

The writers are loaded from their file, not through the `server` package (whose __init__ imports Flask): the
module must stand alone (it is pure), and the peak is then the writer's, not the web app's.

`--source db` measures the whole export instead: `--rows` approved poor households of 2026 are written into a
fresh SQLite database (or, with `--postgres`, a throwaway PostgreSQL one), and each process runs the real export
(server.exports.operations: the list's query, its labels and deficit names, the writer) for the province, against
the same rows (the same query and labels) written with the bare library; the peak then includes the web app
(about 120 MB before any row). `select_csv` is the floor: a plain SELECT of the forms' columns written raw.

Sources: `synthetic` (default) draws fabricated Lạng Sơn household-list rows (names, codes, communes of province
20, class, deficits named, counts, review state, notes some of which look like formulas), deterministic by seed,
from a pool of 4,096 so drawing them costs little next to the writers. Another source is a function
`(n, seed) -> iterator of rows` in SOURCES with the same 15 columns (HEADER).
"""
from __future__ import annotations

import argparse
import csv
import functools
import importlib.util
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEADER = ["STT", "Mã hộ", "Họ và tên chủ hộ", "Dân tộc", "Số nhân khẩu", "Xã", "Thôn", "Phân loại", "Điểm B1",
          "Thu nhập bình quân (nghìn đồng/người/tháng)", "Số chỉ số thiếu hụt", "Các chỉ số thiếu hụt",
          "Trạng thái rà soát", "Ngày rà soát", "Ghi chú"]
KEYS = ["line", "household_code", "head_name", "ethnicity", "members", "commune", "village", "class", "b1_points",
        "income", "deficit_count", "deficits", "review_state", "reviewed_on", "note"]
FORMATS = [None, None, None, None, "#,##0", None, None, None, "0.0", "#,##0", "0", None, None, None, None]
WIDTHS = [7, 14, 26, 10, 9, 18, 18, 20, 8, 14, 9, 40, 14, 11, 20]

FAMILY = ["Nguyễn", "Hoàng", "Lương", "Nông", "Vi", "Lý", "Triệu", "Hà", "Lộc", "Đinh", "Mã", "Lăng", "Chu",
          "Hứa", "Dương", "Lành", "Bế", "Đàm", "Phùng", "Hoàng Thị"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thị Thu", "Văn Hải", "Thị Hồng", "Quang"]
GIVEN = ["Thắng", "Hùng", "Lan", "Mai", "Sơn", "Dũng", "Thủy", "Hường", "Phúc", "Quyết", "Nguyệt", "Hoà", "Tuấn",
         "Ngọc", "Khánh", "Thảo", "Lực", "Sằn", "Pả", "Slảm"]
ETHNIC = ["Nùng"] * 42 + ["Tày"] * 35 + ["Kinh"] * 16 + ["Dao"] * 4 + ["Sán Chay", "Hoa", "Mông"]
CLASSES = ["Hộ nghèo"] * 3 + ["Hộ cận nghèo"] * 2 + ["Hộ có mức sống trung bình"] * 5
STATES = ["Đã duyệt", "Chờ họp thôn", "Chờ xã duyệt", "Đã niêm yết"]
DEFICITS = ["Việc làm", "Người phụ thuộc trong hộ gia đình", "Dinh dưỡng", "Bảo hiểm y tế",
            "Trình độ giáo dục của người lớn", "Tình trạng đi học của trẻ em", "Chất lượng nhà ở",
            "Diện tích nhà ở bình quân đầu người", "Nguồn nước sinh hoạt", "Nhà tiêu hợp vệ sinh",
            "Sử dụng dịch vụ viễn thông", "Phương tiện phục vụ tiếp cận thông tin"]
NOTES = [None] * 6 + ["", "SĐT +84 912 345 678", "=chưa xác minh", "-", "Hộ mới tách", "@trưởng thôn"]


def synthetic_rows(n, seed=1, pool=4096):
    """Yield n household-list rows (HEADER's columns): a deterministic pool, each row with its own line and code."""
    from vietnam_provinces import ProvinceCode, Ward

    rng = random.Random(seed)
    communes = [(f"{int(w.code):05d}", w.name) for w in Ward.iter_by_province(ProvinceCode.P_20)]
    base = []
    for _ in range(min(n, pool)):
        code, commune = rng.choice(communes)
        lacking = sorted(rng.sample(range(12), rng.choice([0, 0, 1, 2, 3, 4, 6])))
        base.append([
            0, code, f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", rng.choice(ETHNIC),
            rng.randint(1, 12), commune, f"Thôn Nà {rng.choice(GIVEN)}", rng.choice(CLASSES),
            round(rng.uniform(40, 180), 1), None if rng.random() < 0.5 else round(rng.uniform(900, 4500)),
            len(lacking), "; ".join(DEFICITS[i] for i in lacking), rng.choice(STATES),
            f"{rng.randint(1, 28):02d}/{rng.randint(9, 12):02d}/2025", rng.choice(NOTES)])
    for i in range(n):
        row = base[i % len(base)].copy()
        row[0] = i + 1
        row[1] = f"{row[1]}{i:06d}"
        yield row


SOURCES = {"synthetic": synthetic_rows}


def as_items(rows):
    """The same rows as JSON objects (the household list's keys)."""
    for row in rows:
        yield dict(zip(KEYS, row))


@functools.cache
def load_writers():
    """server/exports/writers.py as a stand-alone module (see the docstring: it must need nothing of server/)."""
    spec = importlib.util.spec_from_file_location("rasoat_writers", ROOT / "server" / "exports" / "writers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def ours_xlsx(rows, path):
    w = load_writers()
    sheet = w.Sheet(name="Danh sách hộ", columns=len(HEADER),
                    title=["DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025", "Tỉnh Lạng Sơn (dữ liệu giả lập)"],
                    header=[HEADER], numbers=[f"({i})" for i in range(1, len(HEADER) + 1)], rows=rows,
                    formats=FORMATS, widths=WIDTHS, notes=["Nguồn: bench/export.py"])
    w.write_xlsx(path, [sheet])


def bare_xlsx(rows, path, header=HEADER):
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_urls": False})
    ws = book.add_worksheet("Danh sách hộ")
    ws.write_row(0, 0, header)
    for i, row in enumerate(rows, 1):
        ws.write_row(i, 0, row)
    book.close()


def ours_csv(rows, path):
    w = load_writers()
    with open(path, "wb") as f:
        w.write_csv(f, HEADER, rows)


def bare_csv(rows, path, header=HEADER):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def ours_jsonl(rows, path):
    w = load_writers()
    with open(path, "wb") as f:
        w.write_jsonl(f, as_items(rows))


def bare_jsonl(rows, path):
    with open(path, "w", encoding="utf-8") as f:
        for item in as_items(rows):
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def source_only(rows, path):
    for _ in rows:
        pass


# --- the whole export, from the database (--source db) --------------------------------------------------------

DB_YEAR, DB_COLUMNS = 2026, ("id", "commune_code", "village_code", "household_code", "head_name", "head_ethnicity",
                             "members_count", "poverty_class", "deficit_count", "deficit_mask", "state",
                             "review_year", "area", "current_id")


def db_app(url):
    from server import create_app

    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": tempfile.gettempdir(), "SECRET_KEY": "bench-secret",
                       "EXPORT_WORKERS": 0})


def db_populate(url, n, seed):
    """n approved poor households of DB_YEAR in 1,650 villages of Lạng Sơn's communes."""
    sys.path.insert(0, str(ROOT / "bench"))
    from indicators import migrate
    from sqlalchemy import insert, select

    from server.accounts.operations import create_user
    from server.extensions import db
    from server.places.models import Unit
    from server.places.operations import import_villages, load_province
    from server.submissions.models import Submission

    migrate(url)
    app, rng = db_app(url), random.Random(seed)
    with app.app_context():
        load_province("20")
        communes = list(db.session.execute(select(Unit.code).where(Unit.level == "commune")).scalars())
        villages = [(f"E-{communes[i % len(communes)]}-{i:04d}", communes[i % len(communes)]) for i in range(1650)]
        import_villages("commune_code,village_code,name,households_2026\n" + "".join(
            f"{c},{v},Thôn Xuất {i:04d},{n // 1650 + 10}\n" for i, (v, c) in enumerate(villages)), source="bench")
        officer = create_user(None, username="bench.export", full_name="Bench", role="officer", unit_code="20",
                              password="bench-export-password")
        db.session.commit()
        batch = []
        for h in range(n):
            village, commune = villages[h % len(villages)]
            lacking = rng.sample(range(1, 13), rng.randint(1, 6))
            fid = f"00000000-0000-4000-8000-{h:012d}"
            batch.append({"kind": "household", "first_id": fid, "current_id": fid, "version": 1, "revision": 1,
                          "state": "approved", "review_year": DB_YEAR, "review_type": "periodic",
                          "commune_code": commune, "village_code": village, "household_code": f"HH{h:07d}",
                          "area": "rural", "submitted_by": officer.id,
                          "head_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                          "head_ethnicity": rng.choice(["tay", "nung", "kinh", "dao"]), "members_count":
                          rng.randint(1, 9), "rule_set": "2022-2026", "poverty_class": "poor",
                          "deficit_mask": sum(1 << (k - 1) for k in lacking), "deficit_count": len(lacking),
                          "change_seq": 0})
            if len(batch) == 5000:
                db.session.execute(insert(Submission.__table__), batch)
                batch.clear()
        if batch:
            db.session.execute(insert(Submission.__table__), batch)
        db.session.commit()
        db.session.remove()
    app.extensions["rasoat_engine"].dispose()


def db_ours(fmt):
    def run(app, path):
        from server.exports import operations

        with app.app_context():
            made = operations.household_list("poor", DB_YEAR, "20", "approved", fmt, None, "bench/export.py")
            with open(path, "wb") as f:
                rows = operations.write(made, f)
        return rows
    return run


def db_bare(fmt):
    """The same rows as ours (the list's query and labels, server.exports.households.rows) written with the bare
    library: the writer's own cost is what differs."""
    def run(app, path):
        from server.exports import households
        from server.places.models import Unit
        from server.extensions import db

        with app.app_context():
            rows = households.rows("poor", db.session.get(Unit, "20"), DB_YEAR, "approved")
            keys = ("line", *households.HEADER[1:])
            if fmt == "jsonl":
                bare_jsonl_of(keys)(rows, path)
            else:
                {"xlsx": bare_xlsx, "csv": bare_csv}[fmt](rows, path, households.HEADER)
    return run


def db_select_csv(app, path):
    """The floor: a plain SELECT of the forms' columns, written raw with csv.writer (no names, labels, guard)."""
    from sqlalchemy import select

    from server.core.scoping import unscoped
    from server.extensions import db
    from server.submissions.models import Submission as S

    with app.app_context():
        stmt = unscoped(select(*(getattr(S, c) for c in DB_COLUMNS)).where(
            S.review_year == DB_YEAR, S.poverty_class == "poor").order_by(S.commune_code, S.village_code,
                                                                          S.household_code), "bench")
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(DB_COLUMNS)
            writer.writerows(db.session.execute(stmt.execution_options(yield_per=1000)))


def bare_jsonl_of(keys):
    def run(rows, path):
        with open(path, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(dict(zip(keys, row)), ensure_ascii=False) + "\n")
    return run


DB_WRITERS = {"select_csv": db_select_csv, "xlsx_bare": db_bare("xlsx"), "xlsx": db_ours("xlsx"), "csv_bare": db_bare("csv"),
              "csv": db_ours("csv"), "jsonl_bare": db_bare("jsonl"), "jsonl": db_ours("jsonl")}

WRITERS = {"source": source_only, "xlsx_bare": bare_xlsx, "xlsx": ours_xlsx, "csv_bare": bare_csv, "csv": ours_csv,
           "jsonl_bare": bare_jsonl, "jsonl": ours_jsonl}
EXTENSIONS = {"source": "none", "select": "csv", "xlsx": "xlsx", "csv": "csv", "jsonl": "jsonl"}


def rss_mb() -> float:
    """The process's resident memory now (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def worker(args):
    """Run one export in this process and print its figures as one JSON line."""
    if args.source == "db":
        sys.path.insert(0, str(ROOT))
        import xlsxwriter  # noqa: F401

        from server.exports import operations  # noqa: F401 - imports outside the timed part

        app = db_app(args.db_url)  # the app as a server process has it, before the export is asked for
        # ru_maxrss is reached while the app starts (the unit list, the rule sets), above anything an export
        # adds: the RSS is sampled during the export itself instead (every 5 ms from /proc/self/statm).
        before, samples, done = rss_mb(), [], threading.Event()

        def sample():
            while not done.is_set():
                samples.append(rss_mb())
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        DB_WRITERS[args.worker](app, args.out)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        size = os.path.getsize(args.out) if os.path.exists(args.out) else 0
        print(json.dumps({"seconds": seconds, "peak_mb": max(samples + [before]), "before_mb": before,
                          "bytes": size}))
        return
    rows = SOURCES[args.source](args.rows, args.seed)
    if args.worker in ("xlsx", "csv", "jsonl"):
        load_writers()  # imports outside the timed part, as the bare libraries' below
    import xlsxwriter  # noqa: F401
    start = time.perf_counter()
    WRITERS[args.worker](rows, args.out)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    size = os.path.getsize(args.out) if os.path.exists(args.out) else 0
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "bytes": size}))


def run(name, args, tmp):
    """One export in a fresh process; the best of --repeat runs (highest rows/s, its own peak)."""
    best = None
    for _ in range(args.repeat):
        out = os.path.join(tmp, f"{name}.{EXTENSIONS[name.split('_')[0]]}")
        done = subprocess.run([sys.executable, __file__, "--worker", name, "--rows", str(args.rows), "--seed",
                               str(args.seed), "--source", args.source, "--out", out,
                               "--db-url", args.db_url or ""],
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{name} failed:\n{done.stderr}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        if os.path.exists(out):
            os.remove(out)
        if best is None or figures["seconds"] < best["seconds"]:
            best = figures
    best["rows_s"] = args.rows / best["seconds"]
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each export; the fastest is kept")
    parser.add_argument("--source", choices=sorted([*SOURCES, "db"]), default="synthetic")
    parser.add_argument("--postgres", action="store_true", help="--source db on a throwaway PostgreSQL database")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "RASOAT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    parser.add_argument("--worker", choices=sorted({*WRITERS, *DB_WRITERS}), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)

    print(f"{args.rows:,} rows from the {args.source!r} source, one process per export")
    figures = {}
    drop = None
    with tempfile.TemporaryDirectory(prefix="rasoat-bench-export-") as tmp:
        names = list(WRITERS)
        if args.source == "db":
            sys.path.insert(0, str(ROOT))
            sys.path.insert(0, str(ROOT / "bench"))
            if args.postgres:
                from ingest import new_postgres

                args.db_url, drop = new_postgres(args.postgres_url)
                if args.db_url is None:
                    sys.exit(f"postgresql: {drop}")
            else:
                args.db_url = f"sqlite:///{tmp}/export.db"
            started = time.perf_counter()
            db_populate(args.db_url, args.rows, args.seed)
            print(f"  wrote {args.rows:,} households in {time.perf_counter() - started:.0f} s "
                  f"({'postgresql' if args.postgres else 'sqlite'})")
            names = list(DB_WRITERS)
        try:
            for name in names:
                figures[name] = f = run(name, args, tmp)
                size = f"{f['bytes'] / 2**20:7.1f} MB" if f["bytes"] else "       -"
                start = f" (from {f['before_mb']:.1f})" if "before_mb" in f else ""
                print(f"{name:11s} {f['seconds']:8.2f} s {f['rows_s']:12,.0f} rows/s  peak {f['peak_mb']:6.1f} MB"
                      f"{start}  file {size}", flush=True)
        finally:
            if drop is not None:
                drop()
    if args.source == "db":
        figures["source"] = {"peak_mb": float("nan")}

    result = {}
    for fmt in ("xlsx", "csv", "jsonl"):
        ours, bare = figures[fmt], figures[f"{fmt}_bare"]
        result[f"{fmt}_rows_s"] = ours["rows_s"]
        result[f"ratio_{fmt}"] = ours["rows_s"] / bare["rows_s"]
        print(f"{fmt:5s}: ours / bare = {result[f'ratio_{fmt}']:.2f} (goal ≥ 0.5: "
              f"{'met' if result[f'ratio_{fmt}'] >= 0.5 else 'NOT met'})")
    if "select_csv" in figures:
        floor = figures["csv"]["rows_s"] / figures["select_csv"]["rows_s"]
        print(f"csv  : ours / a plain SELECT written raw (no names, labels, guard) = {floor:.2f} (for reference)")
    peak = max(figures[fmt]["peak_mb"] for fmt in ("xlsx", "csv", "jsonl"))
    print(f"peak RSS of ours: {peak:.1f} MB (goal ≤ 200: {'met' if peak <= 200 else 'NOT met'}; "
          + (f"the source alone: {figures['source']['peak_mb']:.1f} MB)" if args.source != "db" else
             "the web app included)"))
    print(f"RESULT xlsx_rows_s={result['xlsx_rows_s']:.0f} csv_rows_s={result['csv_rows_s']:.0f} "
          f"jsonl_rows_s={result['jsonl_rows_s']:.0f} ratio_xlsx={result['ratio_xlsx']:.2f} "
          f"ratio_csv={result['ratio_csv']:.2f} ratio_jsonl={result['ratio_jsonl']:.2f} peak_mb={peak:.1f}")


if __name__ == "__main__":
    main()
