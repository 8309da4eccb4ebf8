"""The indicators migration (20261201_04) fills `head_is_dtts` and `middle_income_agricultural` of the household
forms already stored, from their current version, on both backends, and goes back down cleanly."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy import inspect, text

from server.cli import alembic_config
from live_db import database_at

BEFORE, INDICATORS = "20261201_03", "20261201_04"
AT = "2026-11-30 00:00:00+00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    with database_at(request.param, tmp_path, BEFORE) as made:
        yield made


def _form(conn, id_, kind, ethnicity, content):
    conn.execute(text(
        "INSERT INTO submissions (id, kind, first_id, current_id, version, revision, state, review_year, "
        "commune_code, village_code, submitted_by, head_ethnicity, poverty_class, created_at, updated_at, change_seq) "
        "VALUES (:id, :kind, :v, :v, 1, 1, 'submitted', 2025, '06529', 'T-1', 1, :eth, :cls, :at, :at, 0)"),
        {"id": id_, "kind": kind, "v": f"v-{id_}", "eth": ethnicity, "cls": "poor" if kind == "household" else None,
         "at": AT})
    conn.execute(text(
        "INSERT INTO submission_versions (id, submission_id, number, commune_code, village_code, content, "
        "content_sha256, received_at, received_by) VALUES (:v, :id, 1, '06529', 'T-1', :content, 'x', :at, 1)"),
        {"v": f"v-{id_}", "id": id_, "content": json.dumps(content), "at": AT})


def test_existing_forms_are_filled_from_their_current_version(database):
    url, engine = database
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (code, level, kind, name, province_code, valid_from, source) VALUES "
                          "('20', 'province', 'tinh', 'Lạng Sơn', '20', '2025-07-01', 'test')"))
        conn.execute(text("INSERT INTO units (code, level, kind, name, parent_code, province_code, commune_code, "
                          "valid_from, source) VALUES ('06529', 'commune', 'xa', 'Xã', '20', '20', '06529', "
                          "'2025-07-01', 'test'), ('T-1', 'village', 'thon', 'Thôn', '06529', '20', '06529', "
                          "'2025-07-01', 'test')"))
        conn.execute(text("INSERT INTO users (id, username, full_name, password_hash, role, unit_code, is_enabled, "
                          "must_change_password, created_at, session_version) VALUES (1, 'a', 'A', 'x', 'officer', "
                          "'20', :yes, :no, :at, 0)"), {"yes": True, "no": False, "at": AT})
        _form(conn, 1, "household", "tay", {"flags": {"middle_income_agricultural": True}})
        _form(conn, 2, "household", "kinh", {"flags": {}})
        _form(conn, 3, "village", None, {"kind": "village"})

    command.upgrade(alembic_config(url), INDICATORS)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, head_is_dtts, middle_income_agricultural FROM submissions "
                                 "ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, True, True), (2, False, None), (3, None, None)]
    assert "ix_submissions_household" in {i["name"] for i in inspect(engine).get_indexes("submissions")}

    command.downgrade(alembic_config(url), BEFORE)
    columns = {c["name"] for c in inspect(engine).get_columns("submissions")}
    assert not columns & {"head_is_dtts", "middle_income_agricultural"}
