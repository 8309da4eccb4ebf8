"""B1 point tables: loading with provenance, refusal naming the row, scoring by region (b1-points.md).

Every point value here is FABRICATED TEST DATA (fixtures/b1_points_fabricated.csv): no official figure.
"""
import csv

import pytest
from openpyxl import Workbook

from poverty_records import FIXTURES, URBAN_COMMUNE, base_record, result_of
from server.poverty import PointTableInvalid, RecordInvalid, load_point_table, load_rule_set

TABLE = FIXTURES / "b1_points_fabricated.csv"
RURAL_REGION = "Trung du và miền núi phía Bắc"
ANSWERS = {"t_size": "two_three", "t_roof": "flimsy", "t_tv": "yes"}


def fixture_rows():
    """The fabricated table's (provenance lines, header, rows)."""
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    meta = [x for x in lines if x.startswith("#")]
    body = list(csv.reader(x for x in lines if not x.startswith("#")))
    return meta, body[0], body[1:]


def write_csv(tmp_path, rows, meta=None, header=None):
    """Write a variant of the fabricated table and return its path."""
    m, h, _ = fixture_rows()
    path = tmp_path / "table.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(m if meta is None else meta) + "\n")
        csv.writer(f).writerows([header or h] + rows)
    return path


def expected_total(region, answers=ANSWERS):
    """Add up the fabricated table by hand for a region."""
    _, header, rows = fixture_rows()
    col = header.index(region)
    return sum(int(r[col]) for r in rows if answers.get(r[0]) == r[2])


def refused(path, **kw):
    with pytest.raises(PointTableInvalid) as e:
        load_point_table(path, **kw)
    for err in e.value.errors:
        assert set(err) == {"row", "column", "message"} and set(err["message"]) == {"vi", "en"}
    return e.value.errors


def test_loads_with_provenance_and_regions():
    table = load_point_table(TABLE, rule_set=load_rule_set("2022-2026"))
    assert table.rule_set == "2022-2026"
    assert table.provenance["document"].startswith("FABRICATED")
    assert {"annex", "loaded_by", "loaded_at", "file"} <= set(table.provenance)
    assert RURAL_REGION in table.regions and "Thành thị" in table.regions
    assert len(table.rows) == len(fixture_rows()[2])


def test_xlsx_loads_the_same_as_csv(tmp_path):
    meta, header, rows = fixture_rows()
    wb = Workbook()
    sheet = wb.active
    sheet.title = "points"
    sheet.append(header)
    for r in rows:
        sheet.append(r[:4] + [int(x) for x in r[4:]])
    prov = wb.create_sheet("provenance")
    for line in meta:
        key, _, value = line[1:].partition(":")
        prov.append([key.strip(), value.strip()])
    wb.save(tmp_path / "table.xlsx")
    table = load_point_table(tmp_path / "table.xlsx")
    def cells(t):
        return [{k: v for k, v in r.items() if k != "row"} for r in t.rows]
    assert cells(table) == cells(load_point_table(TABLE))
    assert [r["row"] for r in table.rows] == list(range(2, len(rows) + 2))
    assert table.provenance["rule_set"] == "2022-2026"


def test_non_integer_points_are_refused_naming_row_and_column(tmp_path):
    _, header, rows = fixture_rows()
    rows[3][5] = "12.5"
    errors = refused(write_csv(tmp_path, rows))
    bad_line = len(fixture_rows()[0]) + 1 + 4  # provenance lines, header, then the fourth row
    assert [(e["row"], e["column"]) for e in errors] == [(bad_line, header[5])]
    assert "12.5" in errors[0]["message"]["vi"]


def test_missing_points_duplicate_answers_and_bad_codes_each_named(tmp_path):
    _, header, rows = fixture_rows()
    rows[0][4] = ""
    rows.append(list(rows[1]))
    rows[2][2] = "Four Plus"
    first = len(fixture_rows()[0]) + 2
    errors = refused(write_csv(tmp_path, rows))
    found = {(e["row"], e["column"]) for e in errors}
    assert (first, RURAL_REGION) in found
    assert (first + 2, "answer_code") in found
    assert (first + len(rows) - 1, "answer_code") in found
    duplicate = next(e for e in errors if e["row"] == first + len(rows) - 1)
    assert str(first + 1) in duplicate["message"]["en"]


def test_missing_provenance_and_columns(tmp_path):
    meta, header, rows = fixture_rows()
    errors = refused(write_csv(tmp_path, rows, meta=[m for m in meta if "loaded_by" not in m]))
    assert [(e["row"], e["column"]) for e in errors] == [(0, "loaded_by")]
    assert load_point_table(write_csv(tmp_path, rows, meta=[m for m in meta if "loaded_by" not in m]),
                            provenance={"loaded_by": "admin"}).provenance["loaded_by"] == "admin"
    cut = [r[:3] + r[4:] for r in rows]
    errors = refused(write_csv(tmp_path, cut, header=header[:3] + header[4:]))
    assert [e["column"] for e in errors] == ["answer_label"]


def test_unreadable_files_and_repeated_columns_are_refused(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert refused(broken)[0]["row"] == 0
    _, header, rows = fixture_rows()
    twice = write_csv(tmp_path, [r + [r[4]] for r in rows], header=header + [header[4]])
    assert [(e["column"]) for e in refused(twice)] == [header[4]]


def test_table_must_cover_the_regions_the_rule_set_uses(tmp_path):
    _, header, rows = fixture_rows()
    urban = header.index("Thành thị")
    path = write_csv(tmp_path, [r[:urban] for r in rows], header=header[:urban])
    assert load_point_table(path)  # fine on its own
    errors = refused(path, rule_set=load_rule_set("2022-2026"))
    assert [e["column"] for e in errors] == ["Thành thị"]


def points_record(**income):
    return base_record(income={"method": "points", **income})


def test_b1_total_is_computed_from_items_in_the_commune_region():
    table = load_point_table(TABLE)
    rural = result_of(points_record(b1_items=ANSWERS), point_table=table)
    assert rural["b1_points"] == expected_total(RURAL_REGION)
    urban = result_of(points_record(b1_items=ANSWERS) | {"commune_code": URBAN_COMMUNE}, point_table=table)
    assert urban["b1_points"] == expected_total("Thành thị")
    assert rural["b1_points"] != urban["b1_points"]


def test_a_total_that_disagrees_with_the_items_is_refused():
    table = load_point_table(TABLE)
    right = expected_total(RURAL_REGION)
    assert result_of(points_record(b1_items=ANSWERS, b1_points=right), point_table=table)["b1_points"] == right
    with pytest.raises(RecordInvalid) as e:
        result_of(points_record(b1_items=ANSWERS, b1_points=right + 1), point_table=table)
    assert [x["path"] for x in e.value.errors] == ["income.b1_points"]
    assert str(right) in e.value.errors[0]["message"]["vi"]


def test_unknown_missing_and_unscored_answers_are_named():
    table = load_point_table(TABLE)
    answers = {"t_size": "twelve", "t_tv": "yes", "t_car": "yes"}
    with pytest.raises(RecordInvalid) as e:
        result_of(points_record(b1_items=answers), point_table=table)
    assert {x["path"] for x in e.value.errors} == {"income.b1_items.t_size", "income.b1_items.t_roof",
                                                   "income.b1_items.t_car"}


def test_without_a_table_items_alone_are_not_enough():
    with pytest.raises(RecordInvalid) as e:
        result_of(points_record(b1_items=ANSWERS))
    assert [x["path"] for x in e.value.errors] == ["income.b1_points"]
    assert result_of(points_record(b1_items=ANSWERS, b1_points=99))["b1_points"] == 99


def test_a_table_of_another_rule_set_is_refused(tmp_path):
    meta, _, rows = fixture_rows()
    other = write_csv(tmp_path, rows, meta=[m.replace("2022-2026", "2027-2030") for m in meta])
    with pytest.raises(PointTableInvalid):
        result_of(points_record(b1_items=ANSWERS), point_table=load_point_table(other))
    assert refused(other, rule_set=load_rule_set("2022-2026"))[0]["column"] == "rule_set"
