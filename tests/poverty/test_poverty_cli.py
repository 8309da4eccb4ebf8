"""`python -m server.poverty classify`, run as other tools run it: a subprocess on files and standard input."""
import json
import subprocess
import sys
from pathlib import Path

from poverty_records import base_record

ROOT = Path(__file__).resolve().parents[2]


def run(*args, stdin=None):
    """Run the command; return (exit status, parsed output lines, stderr)."""
    proc = subprocess.run([sys.executable, "-m", "server.poverty", "classify", *map(str, args)], cwd=ROOT,
                          input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=120)
    return proc.returncode, [json.loads(x) for x in proc.stdout.splitlines()], proc.stderr


def test_mixed_file_classifies_the_valid_and_names_the_invalid(tmp_path):
    good = base_record(water_source="surface", toilet="hanging", internet_use=False,
                       income={"method": "actual", "annual_income_vnd": 0})
    unknown_key = base_record(colour="blue")
    bad_birth = base_record()
    bad_birth["members"][1]["birth_date"] = "1990-13-01"
    lines = [json.dumps(good, ensure_ascii=False), "{not json", "", json.dumps(unknown_key),
             json.dumps(bad_birth), json.dumps(base_record())]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, out, _ = run(path)
    assert status == 1
    assert len(out) == 5  # one per non-blank input line, in order
    assert out[0]["class"] == "poor" and out[0]["deficits"] == [9, 10, 11]
    assert out[1]["error"]["line"] == 2 and out[1]["error"]["code"] == "invalid_json"
    assert out[2]["error"] == {**out[2]["error"], "line": 4, "code": "record_invalid"}
    assert [f["path"] for f in out[2]["error"]["fields"]] == ["colour"]
    assert [f["path"] for f in out[3]["error"]["fields"]] == ["members[1].birth_date"]
    assert set(out[3]["error"]["fields"][0]["message"]) == {"vi", "en"}
    assert out[4]["class"] == "not_poor"


def test_all_valid_from_standard_input_exits_zero():
    records = [base_record(), base_record(income={"method": "points", "b1_points": 100})]
    status, out, _ = run(stdin="".join(json.dumps(r) + "\n" for r in records))
    assert status == 0 and [r["income_basis"] for r in out] == ["actual", "points"]


def test_one_pretty_printed_record(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(base_record(), ensure_ascii=False, indent=2), encoding="utf-8")
    status, out, _ = run(path)
    assert status == 0 and len(out) == 1 and out[0]["rule_set"] == "2022-2026"


def test_rule_set_option_overrides_the_year(tmp_path):
    record = base_record(waste_handling="dumped")
    status, out, _ = run("--rule-set", "2027-2030", stdin=json.dumps(record) + "\n")
    assert status == 0 and out[0]["rule_set"] == "2027-2030" and 12 in out[0]["deficits"]
    status, out, _ = run("--rule-set", "2027-2030", stdin=json.dumps(base_record()) + "\n")
    assert status == 1 and [f["path"] for f in out[0]["error"]["fields"]] == ["waste_handling"]


def test_unknown_rule_set_is_a_usage_error():
    status, out, err = run("--rule-set", "1999-2000", stdin="")
    assert status == 2 and out == [] and "1999-2000" in err
