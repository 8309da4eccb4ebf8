"""Benchmark the rule engine: classification time against json.loads time on the same records, in one run.

    .venv/bin/python bench/classify.py [--records 200000] [--validate 20000] [--repeat 3]

Records come from bench/records.py (fabricated, Lạng Sơn-like). Classification runs on validated records, as
the server and the command line do; validation is timed and printed separately, on the sample and on as many
8-member households (the ingest bench's shape), with its fast path (server/poverty/fastcheck.py) and, in the same
run, with marshmallow alone.
"""
import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from records import make_records  # noqa: E402

from server.poverty import classify, validate_record  # noqa: E402
from server.poverty.validate import _validate  # noqa: E402


def timed(fn, repeat):
    """Run fn `repeat` times with the collector paused; return (median seconds, last result)."""
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(times), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--validate", type=int, default=20_000, help="how many records to time validation on")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    t0 = time.perf_counter()
    lines = [json.dumps(r, ensure_ascii=False) for r in make_records(args.records, args.seed)]
    print(f"generated {len(lines):,} records ({sum(map(len, lines)) / len(lines):,.0f} bytes each) "
          f"in {time.perf_counter() - t0:.1f} s")

    t_json, loaded = timed(lambda: [json.loads(s) for s in lines], args.repeat)
    sample = loaded[:args.validate]
    t_valid, cleaned = timed(lambda: [validate_record(r) for r in sample], 1)
    assert cleaned == sample, "the generator's records are already canonical, so validation must not change them"
    t_slow, slow = timed(lambda: [_validate(r, None, fast=False) for r in sample], 1)
    assert slow == cleaned
    sample8 = [json.loads(json.dumps(r, ensure_ascii=False)) for r in make_records(len(sample), args.seed, size=8)]
    t_valid8, _ = timed(lambda: [validate_record(r) for r in sample8], 1)
    t_slow8, _ = timed(lambda: [_validate(r, None, fast=False) for r in sample8], 1)
    t_class, results = timed(lambda: [classify(r) for r in loaded], args.repeat)

    n = len(lines)
    counts = {}
    for r in results:
        counts[r["class"]] = counts.get(r["class"], 0) + 1
    print(f"json.loads : {t_json:8.3f} s  {n / t_json:12,.0f} records/s")
    print(f"classify   : {t_class:8.3f} s  {n / t_class:12,.0f} records/s")
    m = len(sample)
    print(f"validate   : {t_valid:8.3f} s  {m / t_valid:12,.0f} records/s  (on {m:,} records)")
    print(f"  marshmallow alone: {t_slow:8.3f} s  {m / t_slow:12,.0f} records/s  "
          f"(the fast path is {t_slow / t_valid:.1f}× faster)")
    print(f"  8 members        : {t_valid8:8.3f} s  {m / t_valid8:12,.0f} records/s  "
          f"{t_valid8 / m * 1e3:.3f} ms a record")
    print(f"  8, marshmallow   : {t_slow8:8.3f} s  {m / t_slow8:12,.0f} records/s  "
          f"{t_slow8 / m * 1e3:.3f} ms a record (the fast path is {t_slow8 / t_valid8:.1f}× faster)")
    print(f"classes    : {counts}")
    ratio = t_class / t_json
    print(f"ratio classify / json.loads = {ratio:.2f} (goal ≤ 2.00): {'met' if ratio <= 2 else 'NOT met'}")
    print(f"ratio validate / json.loads = {(t_valid / m) / (t_json / n):.1f} "
          f"(marshmallow alone: {(t_slow / m) / (t_json / n):.1f})")


if __name__ == "__main__":
    main()
