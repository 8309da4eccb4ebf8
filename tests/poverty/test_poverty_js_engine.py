"""The phone's rule engine (static/js/poverty/classify.js) against the server's, on 11,000 generated records.

bench/records.py's edge_records reach every branch (both rule sets, both income methods, urban and rural, Phiếu A
stops, stopped households sent without Phiếu B, birth years alone, ages and incomes on every line); a sample of
points records also carry B1 items scored with the fabricated test table (tests/poverty/fixtures, invented points,
no circular). Each record is classified by
the Python engine, and by ONE Node process over all of them with the rule-set JSON as GET /api/v1/rule-sets/NAME
serves it (server.surveys.rule_sets.document, the view's own function). The JS engine gets the record as the phone
holds it (not the server's cleaned copy). Any difference fails, in the result or in the fields an error names.
"""
import json
import random
import shutil
import sys
import time
from pathlib import Path

from js_engine import node_or_skip, run_engine

from config.settings import ROOT
from server.poverty import PointTableInvalid, RecordInvalid, classify, load_point_table, load_rule_set, validate_record
from server.surveys import rule_sets

sys.path.insert(0, str(ROOT / "bench"))
from records import edge_records, make_records  # noqa: E402

TABLE = Path(__file__).parent / "fixtures" / "b1_points_fabricated.csv"
KEYS = ("rule_set", "area", "income_basis", "b1_points", "income_per_person_month", "deficits", "b2_points", "class",
        "stopped_by_quick_screen", "notes")


def served(name: str) -> dict:
    """The rule-set document exactly as the API serves it (the view's function, through JSON)."""
    return json.loads(json.dumps(rule_sets.document(name, "20")[0]))


def fabricated_table_document(tmp_path, monkeypatch) -> dict:
    """The 2022-2026 document once an administrator has put the (fabricated) table in config/rules/b1-points/."""
    directory = tmp_path / "b1-points"
    directory.mkdir()
    shutil.copy(TABLE, directory / "2022-2026.csv")
    monkeypatch.setattr(rule_sets, "B1_POINTS_DIR", directory)
    doc = served("2022-2026")
    monkeypatch.undo()
    return doc


def with_b1_items(rng, record, table):
    """Give a points record B1 items from the table, with its total right, absent, wrong, or an unknown answer."""
    items = {}
    for row in table.rows:
        items.setdefault(row["item_code"], []).append(row["answer_code"])
    answers = {item: rng.choice(codes) for item, codes in items.items()}
    x = rng.random()
    if x < 0.1:
        answers[rng.choice(list(answers))] = "not_in_table"
    elif x < 0.15:
        del answers[rng.choice(list(answers))]
    record["income"]["b1_items"] = answers
    region = "Thành thị" if (record.get("area") or "") == "urban" else None
    if rng.random() < 0.4:
        record["income"].pop("b1_points", None)
    elif rng.random() < 0.5 and region is None and x >= 0.15:
        record["income"]["b1_points"] = sum(
            r["points"]["Trung du và miền núi phía Bắc"] for r in table.rows
            if answers.get(r["item_code"]) == r["answer_code"])


def python_answer(record, rule_set, area, table):
    """The server engine's answer for a record as the phone sent it: validated, then classified."""
    try:
        return {"result": classify(validate_record(record, rule_set), rule_set, area=area, point_table=table)}
    except (RecordInvalid, PointTableInvalid) as e:
        return {"error": {"paths": [x.get("path", "income.b1_items") for x in e.errors]}}


def cases_for(tmp_path, monkeypatch):
    """The records, the rule set each is classified under, and what the Python engine answers (with its time)."""
    rng = random.Random(11)
    rules = {name: load_rule_set(name) for name in ("2022-2026", "2027-2030")}
    table = load_point_table(TABLE, rule_set=rules["2022-2026"])
    documents = {"2022-2026": served("2022-2026"), "2027-2030": served("2027-2030"),
                 "2022-2026+table": fabricated_table_document(tmp_path, monkeypatch)}
    records = edge_records(10_000, seed=5) + make_records(1_000, seed=6)
    cases, expected, python_s = [], [], 0.0
    for record in records:
        label = "2022-2026" if record["review_year"] <= 2026 else "2027-2030"
        if rng.random() < 0.08:  # classified under the other rule set (a re-scoring): rule_set_not_of_year
            label = "2027-2030" if label == "2022-2026" else "2022-2026"
        use_table = label == "2022-2026" and rng.random() < 0.25
        if use_table and (record.get("income") or {}).get("method") == "points" and rng.random() < 0.6:
            with_b1_items(rng, record, table)
        area = rng.choice(["rural", "urban"]) if rng.random() < 0.05 else None
        rule_set = rules[label]
        started = time.perf_counter()
        expected.append(python_answer(record, rule_set, area, table if use_table else None))
        python_s += time.perf_counter() - started
        cases.append({"rule_set": label + ("+table" if use_table else ""), "record": record, "area": area})
    return documents, cases, expected, python_s


def test_js_engine_agrees_with_python_on_11000_records(tmp_path, monkeypatch):
    node = node_or_skip()
    documents, cases, expected, python_s = cases_for(tmp_path, monkeypatch)
    started = time.perf_counter()
    answers, js_ms = run_engine(node, documents, cases)
    node_s = time.perf_counter() - started
    assert len(answers) == len(cases)
    differences = []
    for i, (case, want, got) in enumerate(zip(cases, expected, answers)):
        if "error" in want or "error" in got:
            same = want.get("error", {}).get("paths") == got.get("error", {}).get("paths")
        else:
            same = all(want["result"][k] == got["result"][k] for k in KEYS) and list(got["result"]) == list(KEYS)
        if not same:
            differences.append((i, case["rule_set"], want, got))
    kinds = {"results": sum("result" in w for w in expected), "errors": sum("error" in w for w in expected)}
    print(f"\n{len(cases)} records: Python engine {python_s:.2f} s (validate + classify), "
          f"Node classify {js_ms / 1000:.2f} s (process with JSON {node_s:.2f} s); {kinds}")
    assert not differences, f"{len(differences)} differences, first ones:\n" + "\n".join(
        json.dumps(d, ensure_ascii=False)[:1500] for d in differences[:5])
    # the cases reach what they are meant to reach
    results = [w["result"] for w in expected if "result" in w]
    seen = {(r["rule_set"], r["income_basis"], r["area"]) for r in results}
    assert seen >= {(n, m, a) for n in ("2022-2026", "2027-2030") for m in ("points", "actual")
                    for a in ("rural", "urban")} - {("2027-2030", "points", "rural"), ("2027-2030", "points", "urban")}
    assert {r["class"] for r in results} == {"poor", "near_poor", "middle", "not_poor"}
    assert sum(r["stopped_by_quick_screen"] for r in results) > 500
    assert {n["code"] for r in results for n in r["notes"]} >= {
        "rule_set_provisional", "rule_set_not_of_year", "area_differs_from_commune", "quick_screen_stopped",
        "quick_screen_should_stop", "quick_screen_should_continue", "points_cannot_decide_middle",
        "middle_band_not_loaded", "malnutrition_not_answered", "school_level_not_answered"}
    assert any(c["rule_set"].endswith("+table") and "b1_items" in (c["record"].get("income") or {}) and "result" in w
               for c, w in zip(cases, expected))
    # households the screen stopped, sent without Phiếu B, are classified (not refused) by both engines
    assert sum("result" in w and "housing" not in c["record"] and not c["record"]["members"][0].get("employment")
               for c, w in zip(cases, expected)) > 500
    errors = {p for w in expected if "error" in w for p in w["error"]["paths"]}
    assert {"income.method", "waste_handling", "income.b1_points"} <= errors
    assert any(p.startswith("income.b1_items.") for p in errors)


def _without(record, path):
    """A copy of the record without the answer at a dotted path ("members.0.employment")."""
    record = json.loads(json.dumps(record))
    *parents, last = path.split(".")
    target = record
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    del target[int(last) if last.isdigit() else last]
    return record


def test_a_record_missing_an_answer_throws_naming_it_as_the_server_does():
    """The phone classifies while the enumerator types: a missing answer is an error naming its field."""
    from poverty_records import base_record

    node = node_or_skip()
    base = base_record(members=[*base_record()["members"], {**base_record()["members"][1], "line": 3}])
    later = base_record(review_year=2027, waste_handling="collected")
    cases = [
        ("2022-2026", _without(base, "members.0.employment")),
        ("2022-2026", _without(base, "members.1.birth_date")),
        ("2022-2026", _without(base, "members.2.health_insurance")),
        ("2022-2026", _without(base, "housing.durable")),
        ("2022-2026", _without(base, "housing.durable.roof")),
        ("2022-2026", _without(base, "housing.floor_area_m2")),
        ("2022-2026", _without(base, "toilet")),
        ("2022-2026", _without(base, "interview.started_at")),
        ("2022-2026", _without(base, "income.annual_income_vnd")),
        ("2022-2026", base_record(income={"method": "points"})),
        ("2022-2026", base_record(quick_screen={"items": ["not_in_phieu_a"], "stopped": False})),
        ("2027-2030", _without(later, "waste_handling")),
        ("2027-2030", base_record(review_year=2027, waste_handling="collected",
                                  income={"method": "points", "b1_points": 100})),
    ]
    documents = {"2022-2026": served("2022-2026"), "2027-2030": served("2027-2030")}
    answers, _ = run_engine(node, documents, [{"rule_set": n, "record": r} for n, r in cases])
    for (name, record), answer in zip(cases, answers):
        try:
            classify(validate_record(record, name), name)
        except RecordInvalid as e:
            server_paths = [x["path"] for x in e.errors]
        else:
            raise AssertionError(f"the server accepted {record}")
        assert "error" in answer, (server_paths, answer)
        assert answer["error"]["path"] in server_paths, (answer, server_paths)


def test_quick_screen_stops_as_the_definition_says_for_every_set_of_items():
    """quickScreenStops (for the form, before Phiếu B) gives the server's Phiếu A verdict for each of the 2^n sets."""
    import itertools
    import subprocess

    node = node_or_skip()
    rule_set = load_rule_set("2022-2026")
    codes = sorted(rule_set.quick_screen.codes)
    subsets = [list(c) for n in range(len(codes) + 1) for c in itertools.combinations(codes, n)]
    script = ("import { quickScreenStops } from './static/js/poverty/classify.js';"
              "let s = ''; process.stdin.on('data', (d) => { s += d; }).on('end', () => {"
              " const { doc, subsets } = JSON.parse(s);"
              " process.stdout.write(JSON.stringify(subsets.map((items) => quickScreenStops(items, doc)))); });")
    done = subprocess.run([node, "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True,
                          input=json.dumps({"doc": served("2022-2026"), "subsets": subsets}), timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [rule_set.quick_screen.stops(items) for items in subsets]
    assert any(json.loads(done.stdout)) and not all(json.loads(done.stdout))


def test_b1_total_scores_items_as_the_server_table_does(tmp_path, monkeypatch):
    """b1Total (the form's live B1 total) gives the server's score of the same items in the same region column."""
    import subprocess

    node = node_or_skip()
    rule_set = load_rule_set("2022-2026")
    table = load_point_table(TABLE, rule_set=rule_set)
    document = fabricated_table_document(tmp_path, monkeypatch)
    rng = random.Random(3)
    answers = {}
    for row in table.rows:
        answers.setdefault(row["item_code"], []).append(row["answer_code"])
    cases = []
    for commune in ("06529", "05977"):  # a xã (rural column of province 20) and a phường (urban column)
        for _ in range(20):
            items = {k: rng.choice(v) for k, v in answers.items()}
            cases.append({"commune_code": commune, "income": {"b1_items": items}})
    script = ("import { b1Total } from './static/js/poverty/classify.js';"
              "let s = ''; process.stdin.on('data', (d) => { s += d; }).on('end', () => {"
              " const { doc, cases } = JSON.parse(s);"
              " process.stdout.write(JSON.stringify(cases.map((r) => b1Total(r, doc)))); });")
    done = subprocess.run([node, "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True,
                          input=json.dumps({"doc": document, "cases": cases}), timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    regions = {"06529": rule_set.b1_rural_regions["20"], "05977": rule_set.b1_urban_region}
    assert json.loads(done.stdout) == [table.score(c["income"]["b1_items"], regions[c["commune_code"]]) for c in cases]
