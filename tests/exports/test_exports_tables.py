"""The five report tables of §5.3 on the hand-made province: read back from the XLSX with openpyxl, they hold the
figures of the indicators' JSON for the same unit, year and basis, and their cells match the golden files
(tests/exports/golden/, reviewed by hand; the export date line is left out)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from server.exports import operations, tables
from server.indicators.flows import NEAR_POOR_KEYS, POOR_KEYS
from server.indicators.operations import indicator_table

from province import C1, PROVINCE

GOLDEN = Path(__file__).parent / "golden"


def same(got: list, want: list) -> bool:
    """Cell values equal to the JSON's, numbers to the 15 significant digits a spreadsheet keeps."""
    return len(got) == len(want) and all(
        g == w if w is None or isinstance(w, str) else g == pytest.approx(w, rel=1e-13) for g, w in zip(got, want))


def xlsx_of(table, year=2027, unit=PROVINCE, basis="approved", actor=None):
    made = operations.report(table, year, unit, basis, actor)
    buffer = io.BytesIO()
    operations.write(made, buffer)
    buffer.seek(0)
    return made, openpyxl.load_workbook(buffer)


def sheet_cells(ws) -> list[list]:
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def data_rows(ws, lead: int) -> list[list]:
    """The rows under the numbering row (the one starting with '' and '(1)' after the label columns)."""
    cells = sheet_cells(ws)
    start = next(i for i, r in enumerate(cells) if r[lead] == "(1)") + 1
    out = []
    for r in cells[start:]:
        if r[1] is None:  # the notes under the table
            break
        out.append(list(r))
    return out


def json_table(unit=PROVINCE, year=2027, basis="approved"):
    return json.loads(json.dumps(indicator_table(year, unit, basis)))


@pytest.mark.parametrize("unit", [PROVINCE, C1])
def test_results_equal_the_indicators(province, unit):
    _, book = xlsx_of("results", unit=unit)
    rows = data_rows(book.active, 3)
    data = json_table(unit)
    assert [r[1] for r in rows] == [r["code"] for r in data["rows"]]
    keys = ("households", "persons", "poor", "poor_rate", "near_poor", "near_poor_rate", "middle_agricultural",
            "middle_agricultural_rate", "poor_persons", "poor_persons_rate", "near_poor_persons",
            "near_poor_persons_rate", "middle_agricultural_persons")
    for got, want in zip(rows, data["rows"]):
        assert same(got[3:16], [want[k] for k in keys])
        # (14) = (13) / (2): empty when the persons are not known
        assert got[16] == (None if not want["persons"] else pytest.approx(
            want["middle_agricultural_persons"] * 100 / want["persons"]))
    # the total row is the unit itself, last
    assert rows[-1][1] == unit and rows[-1][2].startswith("Tổng")


@pytest.mark.parametrize("table,key,keys", [("poor-flows", "flows_poor", POOR_KEYS),
                                            ("near-poor-flows", "flows_near_poor", NEAR_POOR_KEYS)])
def test_flows_equal_the_indicators_and_the_identity_holds(province, table, key, keys):
    _, book = xlsx_of(table)
    rows = data_rows(book.active, 4)
    data = json_table()
    assert len(rows) == 2 * len(data["rows"])
    for i, want in enumerate(data["rows"]):
        households, persons = rows[2 * i], rows[2 * i + 1]
        assert households[3] == "Hộ" and persons[3] == "Nhân khẩu"
        assert households[4:] == [want[key][k] for k in keys]
        assert persons[4:] == [want[key + "_persons"][k] for k in keys]
        for r in (households, persons):
            c = r[4:]
            assert c[8] == c[0] - c[1] - c[2] - c[3] + c[4] + c[5] + c[6] + c[7]  # (9) = 1-2-3-4+5+6+7+8


@pytest.mark.parametrize("table,percent", [("deficits", False), ("deficits-percent", True)])
def test_deficits_equal_the_indicators(province, table, percent):
    _, book = xlsx_of(table)
    ws = book.active
    rows = data_rows(ws, 3)
    data = json_table()
    header = sheet_cells(ws)[4]
    assert header[5].startswith("1. ") and header[16].startswith("12. ")
    for got, want in zip(rows, data["rows"]):
        assert got[3] == want["poor"]
        assert same([got[4]], [want["mean_deficits_poor"] if percent else want["total_deficits_poor"]])
        per = want["deficits_poor_pct" if percent else "deficits_poor"]
        assert same(got[5:17], [per[str(n)] for n in range(1, 13)])


def test_the_sheet_is_set_up_for_a4_landscape_with_repeated_header(province):
    made, book = xlsx_of("results")
    ws = book.active
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.print_title_rows  # the title, header and numbering rows on every page
    title = sheet_cells(ws)[0][0]
    assert "KẾT QUẢ RÀ SOÁT" in title and "2027" in title
    text = " ".join(str(r[0]) for r in sheet_cells(ws)[:4])
    assert "Tỉnh Thử Chỉ Số" in text and "2027-2030" in text and "duyệt" in text and "Ngày xuất" in text
    assert made.file_name == "results_98_2027_approved.xlsx"
    # numbers are values, never formulas
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f"


@pytest.mark.parametrize("table", tables.TABLES)
def test_golden(province, table):
    _, book = xlsx_of(table)
    cells = [["" if v is None else (round(v, 6) if isinstance(v, float) else v) for v in row]
             for row in sheet_cells(book.active) if not str(row[0] or "").startswith("Ngày xuất")]
    got = [[str(v) for v in row] for row in cells]
    path = GOLDEN / f"{table}_98_2027_approved.csv"
    with path.open(encoding="utf-8") as f:
        want = list(csv.reader(f))
    assert got == want


def test_csv_of_a_table_has_the_numbering_row(province):
    made = operations.report("deficits", 2027, PROVINCE, "approved", None, "csv")
    buffer = io.BytesIO()
    assert operations.write(made, buffer) == 4
    text = buffer.getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][3:5] == ["(1)", "(2)"] and rows[-1][1] == PROVINCE
    assert made.file_name == "deficits_98_2027_approved.csv"


def test_refusals_name_the_field(province):
    from server.core.errors import Problem

    for args, field in ((("nope", 2027, PROVINCE, "approved", None), "table"),
                        (("results", "20x", PROVINCE, "approved", None), "year"),
                        (("results", 1999, PROVINCE, "approved", None), "year"),
                        (("results", 2027, PROVINCE, "everything", None), "basis")):
        with pytest.raises(Problem) as caught:
            operations.report(*args)
        assert caught.value.to_dict()["fields"][0]["path"] == field
    with pytest.raises(Problem) as caught:
        operations.report("results", 2027, PROVINCE, "approved", None, "pdf")
    assert caught.value.to_dict()["fields"][0]["path"] == "format"


def test_the_api_serves_a_table_to_the_provincial_system(client, bearer, province, make_user):
    machine = make_user("api_client", PROVINCE)
    answer = client.get("/api/v1/reports/deficits", query_string={"year": 2027, "unit": PROVINCE},
                        headers=bearer(machine))
    assert answer.status_code == 200
    assert "deficits_98_2027_approved.xlsx" in answer.headers["Content-Disposition"]
    rows = data_rows(openpyxl.load_workbook(io.BytesIO(answer.data)).active, 3)
    assert [r[3] for r in rows] == [r["poor"] for r in json_table()["rows"]]
    sup = province.supervisors[C1]
    assert client.get("/api/v1/reports/results", query_string={"year": 2027, "unit": "98002"},
                      headers=bearer(sup)).status_code == 403
    assert client.get("/api/v1/reports/results", headers=bearer(sup)).status_code == 422
    assert client.get("/api/v1/reports/nothing", query_string={"year": 2027}, headers=bearer(sup)).status_code == 404
    enumerator = make_user("enumerator", "V-98001-A")
    assert client.get("/api/v1/reports/results", query_string={"year": 2027},
                      headers=bearer(enumerator)).status_code == 403
