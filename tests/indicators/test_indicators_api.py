"""GET /api/v1/indicators and `flask indicators`: the same numbers, scoped to the caller, coded errors, and
figures that are right the moment a form arrives or is approved."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from server.core.scoping import unscoped
from server.indicators.operations import indicator_table
from server.submissions.models import Submission

from province import C1, C2, PROVINCE, V1A

URL = "/api/v1/indicators"


def get(client, headers, **params):
    return client.get(URL, query_string=params, headers=headers)


def test_api_and_cli_give_the_same_numbers(app, client, bearer, province):
    response = get(client, bearer(province.officer), year=2027, unit=PROVINCE)
    assert response.status_code == 200
    api = response.get_json()
    assert api == json.loads(json.dumps(indicator_table(2027, PROVINCE)))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["indicators", "--year", "2027", "--unit", PROVINCE])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == api
    result = runner.invoke(args=["indicators", "--year", "2027", "--unit", PROVINCE, "--format", "csv",
                                 "--basis", "approved"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["code"] for r in rows] == [r["code"] for r in api["rows"]]
    for flat, row in zip(rows, api["rows"]):
        assert int(flat["poor"]) == row["poor"] and int(flat["flows_poor.end"]) == row["flows_poor"]["end"]
        assert float(flat["poor_rate"]) == pytest.approx(row["poor_rate"])
        assert int(flat["deficits_poor.4"]) == row["deficits_poor"]["4"]


def test_api_basis_parameter(client, bearer, province):
    headers = bearer(province.officer)
    submitted = get(client, headers, year=2027, unit=PROVINCE, basis="submitted").get_json()
    recognised = get(client, headers, year=2027, unit=PROVINCE, basis="recognised").get_json()
    assert (submitted["basis"], submitted["rows"][-1]["poor"]) == ("submitted", 10)
    assert (recognised["basis"], recognised["rows"][-1]["poor"]) == ("recognised", 1)


def test_a_supervisor_sees_their_commune_and_nothing_else(client, bearer, province):
    headers = bearer(province.supervisors[C1])
    own = get(client, headers, year=2027)  # default: the caller's unit
    assert own.status_code == 200 and own.get_json()["unit"]["code"] == C1
    assert get(client, headers, year=2027, unit=V1A).status_code == 200
    for unit in (C2, PROVINCE, "20"):
        refused = get(client, headers, year=2027, unit=unit)
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "out_of_scope"


def test_an_officer_of_another_province_is_refused(client, bearer, make_user, province):
    officer = make_user("officer", "20")
    assert get(client, bearer(officer), year=2027, unit=PROVINCE).status_code == 403
    assert get(client, bearer(officer), year=2025).get_json()["unit"]["code"] == "20"


def test_enumerators_are_refused(client, bearer, enumerator):
    response = get(client, bearer(enumerator), year=2025)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("params, field", [({}, "year"), ({"year": "abc"}, "year"), ({"year": "1990"}, "year"),
                                           ({"year": "2025", "basis": "final"}, "basis")])
def test_bad_parameters_are_422_naming_the_field(client, bearer, supervisor, params, field):
    response = get(client, bearer(supervisor), **params)
    body = response.get_json()["error"]
    assert response.status_code == 422 and [f["path"] for f in body["fields"]] == [field]
    assert body["fields"][0]["message"]["vi"] and body["fields"][0]["message"]["en"]


def test_an_unknown_unit_is_404(client, bearer, make_user):
    officer = make_user("officer", "20")
    assert get(client, bearer(officer), year=2025, unit="NO-SUCH").status_code == 404


def test_cli_bad_parameters_exit_with_the_message(app, session):
    result = app.test_cli_runner().invoke(args=["indicators", "--year", "2025", "--basis", "final"])
    assert result.exit_code == 1 and "basis" in result.output
    result = app.test_cli_runner().invoke(args=["indicators", "--year", "2025", "--unit", "NO-SUCH"])
    assert result.exit_code == 1


def village_row(client, headers, basis):
    table = get(client, headers, year=2025, unit="06529", basis=basis).get_json()
    return next(r for r in table["rows"] if r["code"] == "T-06529-01")


def test_figures_are_right_at_once_after_a_new_form_and_an_approval(client, bearer, login, post, household,
                                                                    enumerator, supervisor, session):
    headers = bearer(supervisor)
    before_submitted, before_approved = village_row(client, headers, "submitted"), village_row(client, headers,
                                                                                               "approved")
    record = household(income={"method": "actual", "annual_income_vnd": 12_000_000},
                       flags={"middle_income_agricultural": True})
    assert post(record, enumerator).status_code == 201
    form = session.execute(unscoped(select(Submission).where(Submission.first_id == record["id"]), "test")).scalar_one()
    cls = form.poverty_class
    assert form.head_is_dtts is True and form.middle_income_agricultural is True  # head is Tày (tests' record)
    # The new form counts at once under `submitted`, not yet under `approved`.
    after = village_row(client, headers, "submitted")
    assert after[cls] == before_submitted[cls] + 1 and after["surveyed"] == before_submitted["surveyed"] + 1
    assert village_row(client, headers, "approved")[cls] == before_approved[cls]
    # The supervisor approves it on the review page; the next read has it.
    login(supervisor)
    assert client.post(f"/review/{form.id}/act", data={"action": "approve", "revision": form.revision}).status_code == 302
    approved = village_row(client, headers, "approved")
    assert approved[cls] == before_approved[cls] + 1
    assert approved["coverage"]["approved"] == before_approved["coverage"]["approved"] + 1
    # The village's resident count for 2025 is 100 households (tests/live_db.py).
    if cls != "not_poor":  # not-poor households have no rate
        assert approved[f"{cls}_rate"] == pytest.approx(approved[cls] * 100 / 100)
