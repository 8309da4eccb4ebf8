"""The exports page: a report table downloads at once; a household list asks its purpose, is audited, runs as a
background job with a progress display, and only its owner downloads it."""

from __future__ import annotations

import io

import openpyxl
import pytest

from server.exports import jobs, tables
from server.exports.models import ExportJob
from server.places.models import Unit

from province import C1, C2, PROVINCE


@pytest.fixture
def officer(province, login):
    return login(province.officer)


def test_the_page_offers_the_tables_units_and_lists(client, officer):
    page = client.get("/exports/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Biểu 1. kết quả", "Biểu 5. thiếu hụt", 'value="households"', 'value="98001"',
                 'value="newly-poor"', 'name="purpose"'):
        assert text in html


def test_a_report_table_downloads_with_a_name_that_says_all_four(client, officer):
    answer = client.post("/exports/", data={"table": "poor-flows", "unit": C1, "year": "2027",
                                            "basis": "recognised", "format": "xlsx"})
    assert answer.status_code == 200
    assert "poor-flows_98001_2027_recognised.xlsx" in answer.headers["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(answer.data)).active
    assert "DIỄN BIẾN HỘ NGHÈO" in ws["A1"].value


def test_a_bad_field_is_shown_on_the_page_and_nothing_is_queued(client, officer, session, events):
    answer = client.post("/exports/", data={"table": "households", "class": "poor", "unit": C1, "year": "2027",
                                            "basis": "approved", "format": "csv", "purpose": ""})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "purpose" in html and "mục đích" in html.lower()
    assert session.query(ExportJob).count() == 0 and events("households.exported") == []


def test_a_household_list_runs_in_the_background_and_only_its_owner_downloads_it(
        client, officer, province, session, events, login, make_user):
    answer = client.post("/exports/", data={"table": "households", "class": "escaped", "unit": PROVINCE,
                                            "year": "2027", "basis": "approved", "format": "csv",
                                            "purpose": "báo cáo Sở"})
    assert answer.status_code == 302
    job = session.query(ExportJob).one()
    assert answer.headers["Location"].endswith(f"/exports/jobs/{job.id}")
    assert events("households.exported")[-1].detail["purpose"] == "báo cáo Sở"
    status = client.get(f"/exports/jobs/{job.id}.json").get_json()
    assert status["state"] == "queued" and status["download"] is None
    page = client.get(f"/exports/jobs/{job.id}").get_data(as_text=True)
    assert "households-escaped_98_2027_approved.csv" in page and "<progress" in page
    # the unit and the basis as people read them, not as codes
    assert f"<bdi>{session.get(Unit, PROVINCE).name}</bdi> ({PROVINCE})" in page
    assert tables.BASIS_LABELS["approved"][0] in page
    assert jobs.run_next() is True and jobs.run_next() is False
    status = client.get(f"/exports/jobs/{job.id}.json").get_json()
    assert status["state"] == "done" and status["percent"] == 100 and status["done"] == 3
    got = client.get(status["download"])
    assert got.status_code == 200 and got.data[:3] == b"\xef\xbb\xbf"
    assert "households-escaped_98_2027_approved.csv" in got.headers["Content-Disposition"]
    got.close()
    assert events("households.downloaded")[-1].detail["purpose"] == "báo cáo Sở"
    # another user (even an officer of the same province) does not see it
    login(make_user("officer", PROVINCE))
    assert client.get(f"/exports/jobs/{job.id}.json").status_code == 404
    assert client.get(status["download"]).status_code == 404


def test_a_job_whose_user_lost_the_area_fails_with_the_reason(client, province, session, login):
    sup = login(province.supervisors[C1])
    client.post("/exports/", data={"table": "households", "class": "poor", "unit": C1, "year": "2027",
                                   "basis": "approved", "format": "xlsx", "purpose": "họp thôn"})
    sup.unit_code = C2
    session.commit()
    jobs.run_next()
    job = session.query(ExportJob).one()
    session.refresh(job)
    assert job.state == "failed" and "98001" in job.error


@pytest.mark.parametrize("year", ["99999", "9" * 5000, "-1", "２０２６", "abc"])
def test_an_odd_year_in_the_address_shows_the_page(client, officer, year):
    assert client.get("/exports/", query_string={"year": year}).status_code == 200


def test_enumerators_have_no_exports(client, login, make_user):
    login(make_user("enumerator", "T-06529-01"))
    assert client.get("/exports/").status_code == 403
