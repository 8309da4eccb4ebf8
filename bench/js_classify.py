"""The phone's rule engine (static/js/poverty/classify.js under Node) against the server's, on the same records.

    .venv/bin/python bench/js_classify.py [--records 10000] [--repeat 3] [--seed 1] [--edge]

Generates fabricated records (records.py; --edge: edge_records), validates them once, then times in one run the
Python `classify` over the cleaned records and, in one Node process, `classify` of classify.js over the same
records as the phone holds them, with the rule-set JSON the API serves. Each side: the fastest of --repeat passes,
classification only (no parsing). Ends with one line:
RESULT records=N python_s=… node_s=… node_over_python=… python_per_s=… node_per_s=…
"""
import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from records import edge_records, make_records  # noqa: E402

from server.poverty import RecordInvalid, classify, rule_set_for_year, validate_record  # noqa: E402
from server.surveys.rule_sets import document  # noqa: E402

RUNNER = ROOT / "tests" / "poverty" / "js_runner.mjs"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edge", action="store_true")
    args = parser.parse_args()
    node = shutil.which("node") or "/usr/bin/node"
    raw = (edge_records if args.edge else make_records)(args.records, args.seed)
    pairs = []
    for record in raw:
        try:
            pairs.append((record, validate_record(record), rule_set_for_year(record["review_year"])))
        except RecordInvalid:
            continue
    print(f"{len(pairs)} valid records of {len(raw)} ({'edge' if args.edge else 'realistic'} mix, seed {args.seed})")

    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        for _, clean, rule_set in pairs:
            try:
                classify(clean, rule_set)
            except RecordInvalid:
                pass
        best = min(best, time.perf_counter() - started)
    python_s = best

    documents = {name: document(name, "20")[0] for name in ("2022-2026", "2027-2030")}
    lines = [json.dumps({"rule_sets": documents, "repeat": args.repeat}, ensure_ascii=False)]
    lines += [json.dumps({"rule_set": rs.name, "record": record}, ensure_ascii=False) for record, _, rs in pairs]
    started = time.perf_counter()
    done = subprocess.run([node, str(RUNNER)], input="\n".join(lines) + "\n", capture_output=True, text=True,
                          check=True)
    process_s = time.perf_counter() - started
    node_s = json.loads(done.stdout.splitlines()[-1])["elapsed_ms"] / 1000
    n = len(pairs)
    print(f"Python classify: {python_s:.3f} s ({n / python_s:,.0f} records/s)")
    print(f"Node classify.js: {node_s:.3f} s ({n / node_s:,.0f} records/s); the whole Node process with JSON "
          f"parsing and {args.repeat} passes: {process_s:.2f} s")
    print(f"RESULT records={n} python_s={python_s:.3f} node_s={node_s:.3f} node_over_python={node_s / python_s:.2f} "
          f"python_per_s={n / python_s:.0f} node_per_s={n / node_s:.0f}")


if __name__ == "__main__":
    main()
