"""`flask --app server export TABLE --year YEAR [--unit CODE] [--basis ...] --out FILE`, exactly as issue 13 writes
it: the format follows the extension, a refusal names the option and leaves no file."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from province import C1, PROVINCE


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["export", *args])


@pytest.mark.parametrize("table", ["results", "poor-flows", "near-poor-flows", "deficits", "deficits-percent"])
def test_each_report_table_as_xlsx(province, run, tmp_path, table):
    out = tmp_path / f"{table}.xlsx"
    result = run(table, "--year", "2027", "--unit", PROVINCE, "--out", str(out))
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out).active
    assert any(row[1] == PROVINCE for row in ws.iter_rows(values_only=True))
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


def test_households_csv_and_jsonl_by_extension(province, run, tmp_path, events):
    out = tmp_path / "poor.csv"
    result = run("households", "--year", "2027", "--unit", C1, "--class", "poor", "--out", str(out),
                 "--purpose", "gửi Sở")
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data[:3] == b"\xef\xbb\xbf"
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) == 1 + 4
    event = events("households.exported")[-1]
    assert event.detail["purpose"] == "gửi Sở" and event.actor_name.startswith("command:")
    out = tmp_path / "newly.jsonl"
    assert run("households", "--year", "2027", "--unit", PROVINCE, "--class", "newly_poor", "--out", str(out)
               ).exit_code == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(i["household_code"] or "" for i in lines) == ["", "H22"]
    out = tmp_path / "list"
    assert run("households", "--year", "2027", "--unit", PROVINCE, "--class", "poor", "--format", "xlsx",
               "--out", str(out)).exit_code == 0
    with out.open("rb") as f:  # a file without an extension: --format named it
        assert openpyxl.load_workbook(io.BytesIO(f.read())).active.max_row > 5


@pytest.mark.parametrize("args,option", [
    (["results", "--year", "2027", "--out", "x.pdf"], "out"),
    (["results", "--year", "2027", "--out", "x.csv", "--format", "xlsx"], "format"),
    (["results", "--year", "abc", "--out", "x.xlsx"], "year"),
    (["results", "--year", "2027", "--basis", "all", "--out", "x.xlsx"], "basis"),
    (["tables", "--year", "2027", "--out", "x.xlsx"], "table"),
    (["households", "--year", "2027", "--out", "x.csv"], "class"),
    (["households", "--year", "2027", "--class", "rich", "--out", "x.csv"], "class"),
    (["results", "--year", "2027", "--unit", "00000", "--out", "x.xlsx"], None),
])
def test_refusals_name_the_option_and_leave_no_file(province, run, tmp_path, monkeypatch, args, option):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 1
    if option:
        assert f"  {option}: " in result.output
    assert " / " in result.output  # Vietnamese / English
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_refused(province, run, tmp_path):
    result = run("results", "--year", "2027", "--out", str(tmp_path / "nope" / "x.xlsx"))
    assert result.exit_code == 1 and "out: " in result.output
