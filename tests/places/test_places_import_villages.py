"""Village CSV import: good files import with counts and flags; any bad row refuses the file and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from server.core.errors import Problem
from server.places.models import Unit, UnitHouseholdCount
from server.places.operations import import_villages

HEADER = ["commune_code", "village_code", "name", "kind", "households_2024", "persons_2024", "households_2025",
          "in_dtts_mn_area", "is_especially_difficult", "valid_from", "valid_to"]
GOOD = {"commune_code": "06529", "village_code": "LB-NEW-01", "name": "Thôn Mới", "households_2025": "10"}


def test_a_good_file_imports_villages_counts_and_flags(session, make_csv):
    data = make_csv(HEADER, [
        {"commune_code": "06529", "village_code": "LB-01", "name": "Bản Nà Tẻng", "kind": "ban",
         "households_2024": "90", "persons_2024": "400", "households_2025": "95", "in_dtts_mn_area": "có",
         "is_especially_difficult": "không"},
        {"commune_code": "6529", "village_code": "LB-02", "name": "  Thôn   Pò Mã ", "households_2025": "41",
         "in_dtts_mn_area": "1", "is_especially_difficult": "1", "valid_from": "2025-08-01"},
        {"commune_code": "05977", "village_code": "DK-01", "name": "Khối 1", "kind": "khoi", "households_2025": "300"},
    ])
    report = import_villages(data, source="lang-son-villages.csv")
    assert (report.rows, report.created, report.updated) == (3, 3, 0)
    lb1, lb2, dk1 = (session.get(Unit, c) for c in ("LB-01", "LB-02", "DK-01"))
    assert (lb1.level, lb1.kind, lb1.parent_code, lb1.commune_code, lb1.province_code) == \
        ("village", "ban", "06529", "06529", "20")
    assert (lb1.in_dtts_mn_area, lb1.is_especially_difficult, lb1.is_urban) == (True, False, False)
    assert (lb1.valid_from, lb1.valid_to, lb1.source) == (date(2025, 7, 1), None, "lang-son-villages.csv")
    assert (lb2.parent_code, lb2.name, lb2.kind, lb2.valid_from) == ("06529", "Thôn Pò Mã", "thon", date(2025, 8, 1))
    assert (lb2.in_dtts_mn_area, lb2.is_especially_difficult) == (True, True)
    assert (dk1.is_urban, dk1.area, dk1.in_dtts_mn_area) == (True, "urban", None)
    c24, c25 = session.get(UnitHouseholdCount, ("LB-01", 2024)), session.get(UnitHouseholdCount, ("LB-01", 2025))
    assert (c24.households, c24.persons, c25.households, c25.persons) == (90, 400, 95, None)
    assert session.get(UnitHouseholdCount, ("LB-02", 2024)) is None


def test_semicolon_csv_with_bom_and_crlf_as_excel_writes_it(session, make_csv):
    text = make_csv(["commune_code", "village_code", "name", "households_2025"],
                    [{"commune_code": "06529", "village_code": "XL-1", "name": "Thôn Khòn Quắc",
                      "households_2025": "77"}], sep=";").replace("\n", "\r\n")
    report = import_villages(text.encode("utf-8-sig"), source="excel.csv")
    assert report.created == 1
    assert session.get(Unit, "XL-1").name == "Thôn Khòn Quắc"
    assert session.get(UnitHouseholdCount, ("XL-1", 2025)).households == 77


def test_blank_lines_and_empty_rows_excel_leaves_are_skipped(session):
    data = "commune_code;village_code;name\r\n06529;XL-2;Thôn Hai\r\n;;\r\n\r\n"
    assert import_villages(data.encode("utf-8-sig"), source="x").rows == 1


def test_reimport_updates_names_counts_and_flags(session, make_csv):
    import_villages(make_csv(HEADER, [dict(GOOD, in_dtts_mn_area="0", is_especially_difficult="0")]), source="v1")
    report = import_villages(make_csv(HEADER, [dict(GOOD, name="Thôn Đổi Tên", households_2025="12",
                                                    in_dtts_mn_area="1", is_especially_difficult="1")]),
                             source="v2")
    assert (report.created, report.updated) == (0, 1)
    village = session.get(Unit, "LB-NEW-01")
    assert (village.name, village.source) == ("Thôn Đổi Tên", "v2")
    assert (village.in_dtts_mn_area, village.is_especially_difficult) == (True, True)
    assert session.get(UnitHouseholdCount, ("LB-NEW-01", 2025)).households == 12


def test_reimport_without_flag_columns_keeps_the_flags(session, make_csv):
    import_villages(make_csv(HEADER, [dict(GOOD, in_dtts_mn_area="1", is_especially_difficult="1")]), source="v1")
    import_villages(make_csv(["commune_code", "village_code", "name"], [GOOD]), source="v2")
    village = session.get(Unit, "LB-NEW-01")
    assert (village.in_dtts_mn_area, village.is_especially_difficult) == (True, True)


BAD_ROWS = [
    ("unknown commune", {"commune_code": "99999"}, "commune_code"),
    ("commune of no digits", {"commune_code": "Lộc Bình"}, "commune_code"),
    ("a village code as commune", {"commune_code": "T-06529-01"}, "commune_code"),
    ("code of a commune", {"village_code": "05977"}, "village_code"),
    ("code of a province", {"village_code": "20"}, "village_code"),
    ("code with a space", {"village_code": "LB 01"}, "village_code"),
    ("code too long", {"village_code": "X" * 21}, "village_code"),
    ("empty code", {"village_code": ""}, "village_code"),
    ("moved to another commune", {"commune_code": "05977", "village_code": "T-06529-02"}, "commune_code"),
    ("empty name", {"name": "   "}, "name"),
    ("name too long", {"name": "Thôn " + "x" * 200}, "name"),
    ("unknown kind", {"kind": "phuong"}, "kind"),
    ("count not a number", {"households_2025": "mười"}, "households_2025"),
    ("negative count", {"households_2025": "-5"}, "households_2025"),
    ("fractional count", {"households_2025": "1.5"}, "households_2025"),
    ("count with underscores", {"households_2025": "1_000"}, "households_2025"),
    ("count beyond any commune", {"households_2025": "3000000000"}, "households_2025"),
    ("persons without households", {"households_2025": "", "households_2024": "", "persons_2024": "12"},
     "households_2024"),
    ("bad flag", {"in_dtts_mn_area": "maybe"}, "in_dtts_mn_area"),
    ("bad second flag", {"is_especially_difficult": "2"}, "is_especially_difficult"),
    ("bad date", {"valid_from": "01/07/2025"}, "valid_from"),
    ("bad end date", {"valid_to": "2025-13-01"}, "valid_to"),
    ("end before start", {"valid_from": "2025-07-01", "valid_to": "2025-06-30"}, "valid_to"),
]


@pytest.mark.parametrize("bad, column", [(b, c) for _, b, c in BAD_ROWS], ids=[i for i, _, _ in BAD_ROWS])
@pytest.mark.parametrize("position", ["last", "first"])
def test_a_bad_row_refuses_the_file_naming_row_and_column(session, make_csv, refused, bad, column, position):
    others = [dict(GOOD, village_code="LB-OK-1"), dict(GOOD, village_code="T-06529-01", name="Đổi tên")]
    rows = others + [dict(GOOD, **bad)] if position == "last" else [dict(GOOD, **bad)] + others
    row = 4 if position == "last" else 2
    fields = refused(import_villages, make_csv(HEADER, rows))
    assert [f["path"] for f in fields] == [f"row {row}, {column}"]
    assert f"Dòng {row}, cột {column}:" in fields[0]["message"]["vi"]
    assert f"Row {row}, column {column}:" in fields[0]["message"]["en"]
    assert session.get(Unit, "LB-OK-1") is None
    assert session.get(Unit, "T-06529-01").name == "Thôn Thử Nghiệm Một"


def test_a_duplicate_code_names_the_repeating_row(make_csv, refused):
    rows = [GOOD, dict(GOOD, village_code="LB-OK-1"), dict(GOOD, name="Lặp")]
    fields = refused(import_villages, make_csv(HEADER, rows))
    assert [f["path"] for f in fields] == ["row 4, village_code"]
    assert "dòng 2" in fields[0]["message"]["vi"] and "row 2" in fields[0]["message"]["en"]


def test_every_bad_row_is_reported_at_once(make_csv, refused):
    rows = [dict(GOOD, commune_code="00000"), dict(GOOD, village_code="LB-OK-1"),
            dict(GOOD, village_code="LB-OK-2", households_2025="x", in_dtts_mn_area="?")]
    fields = refused(import_villages, make_csv(HEADER, rows))
    assert sorted(f["path"] for f in fields) == ["row 2, commune_code", "row 4, households_2025",
                                                 "row 4, in_dtts_mn_area"]


@pytest.mark.parametrize("header, column", [
    (["commune_code", "village_code", "name", "household_2025"], "household_2025"),
    (["commune_code", "village_code", "name", "households_25"], "households_25"),
    (["commune_code", "village_code", "ten"], "name"),
    (["commune_code", "name"], "village_code"),
    (["commune_code", "village_code", "name", "name"], "name"),
])
def test_a_bad_header_is_refused_naming_the_column(make_csv, refused, header, column):
    fields = refused(import_villages, make_csv(header, [GOOD]))
    assert f"row 1, {column}" in [f["path"] for f in fields]


def test_a_trailing_empty_column_is_ignored(session):
    assert import_villages("commune_code,village_code,name,\n06529,LB-X,Thôn X,\n", source="x").created == 1


def test_an_unnamed_column_holding_data_is_refused(refused):
    fields = refused(import_villages, "commune_code,village_code,name,\n06529,LB-X,Thôn X,12\n")
    assert [f["path"] for f in fields] == ["row 1, (empty)"]
    assert "cột trống" in fields[0]["message"]["vi"] and "empty column" in fields[0]["message"]["en"]


def test_a_row_longer_than_the_header_is_refused(refused):
    fields = refused(import_villages, "commune_code,village_code,name\n06529,LB-X,Thôn Nà, Pàn\n")
    assert [f["path"] for f in fields] == ["row 2, (extra)"]


def test_row_numbers_count_blank_lines_as_a_spreadsheet_does(refused):
    fields = refused(import_villages, "commune_code,village_code,name\n06529,LB-X,Thôn X\n\n,,\n99999,LB-Y,Y\n")
    assert [f["path"] for f in fields] == ["row 5, commune_code"]


def test_a_file_without_rows_is_refused(refused):
    fields = refused(import_villages, "commune_code,village_code,name\n")
    assert [f["path"] for f in fields] == ["row 2, village_code"]


def test_a_file_not_in_utf8_is_refused(refused):
    fields = refused(import_villages, "commune_code,village_code,name\n06529,LB-X,Thôn Na\n".encode("cp1252"))
    assert [f["path"] for f in fields] == ["file"]
    assert "UTF-8" in fields[0]["message"]["vi"] and "UTF-8" in fields[0]["message"]["en"]


def test_the_problem_message_is_bilingual(session, make_csv):
    with pytest.raises(Problem) as info:
        import_villages(make_csv(HEADER, [dict(GOOD, commune_code="1")]), source="x")
    message = info.value.to_dict()["message"]
    assert "không dữ liệu nào được ghi" in message["vi"] and "nothing was written" in message["en"]


def test_reimport_without_a_persons_column_keeps_the_persons(session):
    import_villages("commune_code,village_code,name,households_2025,persons_2025\n06529,LB-P,Thôn P,10,44\n",
                    source="v1")
    import_villages("commune_code,village_code,name,households_2025\n06529,LB-P,Thôn P,11\n", source="v2")
    count = session.get(UnitHouseholdCount, ("LB-P", 2025))
    assert (count.households, count.persons) == (11, 44)
    import_villages("commune_code,village_code,name,households_2025,persons_2025\n06529,LB-P,Thôn P,11,\n",
                    source="v3")
    assert session.get(UnitHouseholdCount, ("LB-P", 2025)).persons is None
