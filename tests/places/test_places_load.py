"""Loading the province and its communes from the vietnam-provinces package."""

from __future__ import annotations

from datetime import date
from importlib.metadata import version

import pytest
from sqlalchemy import select

from server.core.errors import Problem
from server.places.models import Unit
from server.places.operations import load_province

LANG_SON_PHUONG = {"Phường Đông Kinh", "Phường Kỳ Lừa", "Phường Lương Văn Tri", "Phường Tam Thanh"}


def communes_of(session, province: str) -> list[Unit]:
    """The communes of a province."""
    return session.execute(select(Unit).where(Unit.level == "commune", Unit.province_code == province)
                           ).scalars().all()


def test_lang_son_has_65_communes_61_rural_4_urban(session):
    communes = communes_of(session, "20")
    assert len(communes) == 65
    rural = [c for c in communes if not c.is_urban]
    urban = [c for c in communes if c.is_urban]
    assert len(rural) == 61 and all(c.kind == "xa" and c.name.startswith("Xã ") for c in rural)
    assert {c.name for c in urban} == LANG_SON_PHUONG
    assert all(c.kind == "phuong" and c.area == "urban" for c in urban)


def test_units_are_valid_from_the_two_level_reform_and_cite_the_package(session):
    units = communes_of(session, "20") + [session.get(Unit, "20")]
    assert {u.valid_from for u in units} == {date(2025, 7, 1)}
    assert {u.valid_to for u in units} == {None}
    assert {u.source for u in units} == {f"vietnam-provinces {version('vietnam-provinces')}"}


def test_province_row_is_the_root_of_its_communes(session):
    province = session.get(Unit, "20")
    assert (province.level, province.name, province.parent_code, province.province_code) == \
        ("province", "Lạng Sơn", None, "20")
    loc_binh = session.get(Unit, "06529")
    assert (loc_binh.name, loc_binh.parent_code, loc_binh.commune_code, loc_binh.is_urban) == \
        ("Xã Lộc Bình", "20", "06529", False)


def test_one_digit_province_code_is_padded(session):
    assert session.get(Unit, "04").name == "Cao Bằng"
    assert {c.province_code for c in communes_of(session, "04")} == {"04"}
    assert session.get(Unit, "01273").is_urban


def test_loading_twice_is_idempotent_and_keeps_villages(session):
    before = {u.code: (u.name, u.kind, u.is_urban) for u in communes_of(session, "20")}
    report = load_province("20")
    session.flush()
    assert (report.created, report.updated) == (0, 66)
    after = {u.code: (u.name, u.kind, u.is_urban) for u in communes_of(session, "20")}
    assert after == before
    assert session.get(Unit, "T-06529-01").parent_code == "06529"


def test_loading_repairs_a_changed_commune(session):
    session.get(Unit, "06529").name = "Sửa tay"
    session.flush()
    load_province("20")
    assert session.get(Unit, "06529").name == "Xã Lộc Bình"


@pytest.mark.parametrize("code", ["99", "abc", ""])
def test_an_unknown_province_is_refused_with_a_bilingual_problem(session, code):
    with pytest.raises(Problem) as info:
        load_province(code)
    body = info.value.to_dict()
    assert body["code"] == "unit_unknown"
    assert code in body["message"]["vi"] and code in body["message"]["en"]


def test_rural_or_urban_comes_from_the_rule_sets_data_not_code(session, monkeypatch):
    from server.places import operations

    monkeypatch.setattr(operations, "_areas_by_division_type", lambda: {"phường": "urban"})
    operations.load_province("20")
    dong_kinh, loc_binh = session.get(Unit, "05977"), session.get(Unit, "06529")
    assert dong_kinh.area == "urban"
    assert loc_binh.area is None  # the (patched) rule set says nothing of xã: unknown, not guessed
    assert session.get(Unit, "20").area is None
