"""Old → new commune mapping import: all rows or none, errors naming row and column."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from server.places.models import CommuneMapping
from server.places.operations import import_commune_mapping

HEADER = ["old_code", "old_name", "new_code", "valid_from", "valid_to"]
GOOD = {"old_code": "06532", "old_name": "Thị trấn Lộc Bình", "new_code": "06529"}


def mappings(session) -> list[tuple]:
    """Every stored mapping as (old, name, new, from, to, source), ordered."""
    rows = session.execute(select(CommuneMapping).order_by(CommuneMapping.old_code, CommuneMapping.new_code))
    return [(m.old_code, m.old_name, m.new_code, m.valid_from, m.valid_to, m.source) for m in rows.scalars()]


def test_a_good_file_imports_with_default_validity(session, make_csv):
    data = make_csv(HEADER, [GOOD, {"old_code": "6535", "old_name": "Xã  Khánh Xuân", "new_code": "6529",
                                    "valid_from": "2019-01-01", "valid_to": "2025-06-30"},
                             {"old_code": "06535", "old_name": "Xã Khánh Xuân", "new_code": "05977"}])
    report = import_commune_mapping(data, source="nq-1672.csv")
    assert (report.rows, report.created, report.updated) == (3, 3, 0)
    assert mappings(session) == [
        ("06532", "Thị trấn Lộc Bình", "06529", date(2000, 1, 1), date(2025, 7, 1), "nq-1672.csv"),
        ("06535", "Xã Khánh Xuân", "05977", date(2000, 1, 1), date(2025, 7, 1), "nq-1672.csv"),
        ("06535", "Xã Khánh Xuân", "06529", date(2019, 1, 1), date(2025, 6, 30), "nq-1672.csv"),
    ]


def test_reimport_updates_instead_of_duplicating(session, make_csv):
    import_commune_mapping(make_csv(HEADER, [GOOD]), source="v1")
    report = import_commune_mapping(make_csv(HEADER, [dict(GOOD, old_name="TT Lộc Bình")]), source="v2")
    assert (report.created, report.updated) == (0, 1)
    assert [(m[1], m[5]) for m in mappings(session)] == [("TT Lộc Bình", "v2")]


def test_semicolon_csv_with_bom(session, make_csv):
    data = make_csv(["old_code", "old_name", "new_code"], [GOOD], sep=";").replace("\n", "\r\n")
    assert import_commune_mapping(data.encode("utf-8-sig"), source="excel").created == 1


BAD_ROWS = [
    ("old code not 5 digits", {"old_code": "123a"}, "old_code"),
    ("old code too long", {"old_code": "065320"}, "old_code"),
    ("empty old code", {"old_code": ""}, "old_code"),
    ("unknown new commune", {"new_code": "99999"}, "new_code"),
    ("a village as new commune", {"new_code": "T-06529-01"}, "new_code"),
    ("a province as new commune", {"new_code": "20"}, "new_code"),
    ("empty old name", {"old_name": " "}, "old_name"),
    ("old name too long", {"old_name": "x" * 201}, "old_name"),
    ("bad start date", {"valid_from": "2020-02-30"}, "valid_from"),
    ("bad end date", {"valid_to": "30/06/2025"}, "valid_to"),
    ("start after the default end", {"valid_from": "2025-08-01"}, "valid_to"),
    ("end before start", {"valid_from": "2020-01-01", "valid_to": "2019-12-31"}, "valid_to"),
]


@pytest.mark.parametrize("bad, column", [(b, c) for _, b, c in BAD_ROWS], ids=[i for i, _, _ in BAD_ROWS])
def test_a_bad_last_row_refuses_the_file_naming_row_and_column(session, make_csv, refused, bad, column):
    rows = [GOOD, dict(GOOD, old_code="06535"), {**GOOD, "old_code": "06538", **bad}]
    fields = refused(import_commune_mapping, make_csv(HEADER, rows))
    assert [f["path"] for f in fields] == [f"row 4, {column}"]
    assert "Dòng 4, cột " + column in fields[0]["message"]["vi"]
    assert "Row 4, column " + column in fields[0]["message"]["en"]
    assert mappings(session) == []


def test_a_repeated_pair_names_the_first_row(make_csv, refused):
    rows = [GOOD, dict(GOOD, new_code="05977"), dict(GOOD, old_name="Lặp"), dict(GOOD, old_name="Lặp nữa")]
    fields = refused(import_commune_mapping, make_csv(HEADER, rows))
    assert [f["path"] for f in fields] == ["row 4, old_code", "row 5, old_code"]
    assert all("dòng 2" in f["message"]["vi"] and "row 2" in f["message"]["en"] for f in fields)


@pytest.mark.parametrize("header, column", [
    (["old_code", "old_name", "new_code", "note"], "note"),
    (["old_code", "new_code"], "old_name"),
    (["old_code", "old_name", "new_code", "households_2024"], "households_2024"),
])
def test_a_bad_header_is_refused(make_csv, refused, header, column):
    fields = refused(import_commune_mapping, make_csv(header, [GOOD]))
    assert f"row 1, {column}" in [f["path"] for f in fields]


def test_a_file_without_rows_is_refused(refused):
    assert [f["path"] for f in refused(import_commune_mapping, "old_code,old_name,new_code\n")] == \
        ["row 2, old_code"]
