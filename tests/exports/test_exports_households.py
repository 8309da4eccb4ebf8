"""Household lists on the hand-made province: who is in each list (worked by hand in
tests/indicators/test_indicators_province.py: H03, H13 escaped to near-poor, H04 above it; H22 and the uncoded h07
newly poor), the columns, the CSV's byte-order mark and formula guard, the area, the purpose and the audit."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from sqlalchemy import update

from server.core.errors import Problem
from server.exports import households, operations
from server.submissions.models import Submission

from province import C1, C2, PROVINCE


def export(name, fmt="csv", unit=PROVINCE, year=2027, basis="approved", actor=None, purpose="kiểm tra danh sách"):
    made = operations.household_list(name, year, unit, basis, fmt, actor, purpose)
    out = io.BytesIO()
    rows = operations.write(made, out)
    return made, rows, out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    assert data[:3] == b"\xef\xbb\xbf"  # the BOM: Excel opens Vietnamese right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def codes(rows, column=households.HEADER.index("Mã hộ")) -> list[str]:
    return sorted(r[column] for r in rows[1:])


def test_each_list_holds_the_households_of_the_report_tables(province):
    _, n, data = export("poor")
    assert n == 9
    assert codes(csv_rows(data)) == sorted(["", "H01", "H02", "H10", "H12", "H18", "H19", "H22", "H23"])
    assert codes(csv_rows(export("near-poor")[2])) == ["H03", "H08", "H13", "H16", "H24"]
    assert codes(csv_rows(export("middle")[2])) == ["H04", "H09", "H21"]
    escaped = csv_rows(export("escaped")[2])
    assert codes(escaped) == ["H03", "H04", "H13"]
    previous = households.HEADER.index("Phân loại năm trước")
    assert {r[previous] for r in escaped[1:]} == {"Hộ nghèo"} or all(r[previous] for r in escaped[1:])
    newly = csv_rows(export("newly-poor")[2])
    assert codes(newly) == ["", "H22"]  # h07 has no household code: newly poor, as table 2 counts it
    # a commune's list holds only its own households
    assert codes(csv_rows(export("poor", unit=C1)[2])) == sorted(["", "H01", "H02", "H10"])


def test_columns_name_the_head_members_deficits_class_and_state(province):
    rows = csv_rows(export("poor", unit=C1)[2])
    header, body = rows[0], rows[1:]
    assert header == households.HEADER
    h01 = next(r for r in body if r[header.index("Mã hộ")] == "H01")
    assert h01[header.index("Họ tên chủ hộ")] == "Chủ hộ h01"
    assert h01[header.index("Số nhân khẩu")] == "4"
    assert h01[header.index("Số chỉ số thiếu hụt")] == "3"
    deficits = h01[header.index("Các chỉ số thiếu hụt")]
    assert deficits.startswith("1. ") and "; 4. " in deficits and "; 9. " in deficits
    assert h01[header.index("Trạng thái rà soát")] == "Đã công nhận theo quyết định của xã"
    assert h01[header.index("Xã/phường")] == "Xã Một" and h01[header.index("Thôn/tổ")] == "Thôn 1A"


def test_formula_cells_are_neutralised_in_csv_and_stay_text_in_xlsx(session, province):
    hostile = "=HYPERLINK(\"http://x\",\"bấm\")"
    session.execute(update(Submission).where(Submission.id == province.ids["h01"]).values(head_name=hostile))
    session.execute(update(Submission).where(Submission.id == province.ids["h02"]).values(head_name="+84 912"))
    session.commit()
    rows = csv_rows(export("poor", unit=C1)[2])
    names = {r[households.HEADER.index("Họ tên chủ hộ")] for r in rows[1:]}
    assert "'" + hostile in names and "'+84 912" in names
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for r in rows for cell in r)
    _, _, data = export("poor", fmt="xlsx", unit=C1)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows() for c in row if c.value == hostile]
    assert cells and all(c.data_type == "s" for c in cells)


def test_jsonl_lines_are_objects_with_deficit_numbers(province):
    made, n, data = export("poor", fmt="jsonl", unit=C1)
    items = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert len(items) == n == 4 and made.file_name == "households-poor_98001_2027_approved.jsonl"
    h01 = next(i for i in items if i["household_code"] == "H01")
    assert h01["deficits"] == [1, 4, 9] and h01["members"] == 4 and h01["head_name"] == "Chủ hộ h01"


def test_every_export_is_audited_with_its_purpose(province, events):
    export("escaped", unit=C1, actor=province.supervisors[C1], purpose="  danh sách họp  dân\tthôn ")
    event = events("households.exported")[-1]
    assert event.actor_id == province.supervisors[C1].id and event.unit_code == C1
    assert event.detail["purpose"] == "danh sách họp dân thôn"
    assert event.detail["list"] == "escaped" and event.detail["year"] == 2027 and event.detail["format"] == "csv"


def test_refusals_name_the_field_and_write_nothing(province, make_user, events):
    sup = province.supervisors[C1]
    with pytest.raises(Problem) as caught:
        export("poor", unit=C2, actor=sup)
    assert caught.value.code == "out_of_scope"
    for kwargs, field in (({"purpose": ""}, "purpose"), ({"purpose": "x" * 201}, "purpose"),
                          ({"name": "rich"}, "class"), ({"fmt": "pdf"}, "format"), ({"basis": "x"}, "basis"),
                          ({"year": "abc"}, "year")):
        args = {"name": "poor", "unit": C1, "actor": sup, **kwargs}
        with pytest.raises(Problem) as caught:
            export(args.pop("name"), **args)
        assert caught.value.to_dict()["fields"][0]["path"] == field
    enumerator = make_user("enumerator", "V-98001-A")
    with pytest.raises(Problem) as caught:
        export("poor", unit="V-98001-A", actor=enumerator)
    assert caught.value.code == "forbidden"
    assert events("households.exported") == []


def test_a_long_list_streams(province, monkeypatch):
    """Rows are fetched in chunks (yield_per) and written as they come: the writer is handed a generator."""
    made = operations.household_list("poor", 2027, PROVINCE, "approved", "csv", None, "test")
    assert not isinstance(made.sheet.rows, list)
    first = next(made.sheet.rows)
    assert first[0] == 1
    made.sheet.rows.close()  # a download stopped early: the cursor is closed (no ResourceWarning, an error here)
