"""Odd and hostile input on the routes the collector and the indicators added: a coded 4xx, never a 5xx."""

from __future__ import annotations

import pytest

ODD = ["", "0", "-1", "99999999999999999999", "2025.5", "abc", "２０２５", "2025\u0000", "%00", "' OR 1=1 --",
       "𝟚𝟘𝟚𝟝", "%ED%A0%80", "%FF", "a" * 5000]


@pytest.fixture
def officer_headers(make_user, bearer, login):
    user = make_user("officer", "20", username="odd-officer")
    login(user)
    return bearer(user)


@pytest.mark.parametrize("value", ODD)
def test_odd_query_values_on_the_indicators_are_refused_not_crashed(client, officer_headers, value):
    for url in (f"/api/v1/indicators?year={value}", f"/api/v1/indicators?year=2025&unit={value}",
                f"/api/v1/indicators?year=2025&basis={value}", f"/indicators/?year={value}",
                f"/indicators/?year=2025&basis={value}", f"/indicators/20/targets?year={value}",
                f"/indicators/20/status?year={value}"):
        resp = client.get(url, headers=officer_headers if url.startswith("/api/") else {})
        assert resp.status_code < 500, (url, resp.status_code)


@pytest.mark.parametrize("value", ["", "../../etc/passwd", "house hold", "%2e%2e", "x" * 300, "household\u0000"])
def test_odd_names_of_forms_and_rule_sets_are_not_found(client, value):
    for url in (f"/api/v1/forms/{value}", f"/api/v1/rule-sets/{value}"):
        resp = client.get(url)
        assert resp.status_code in (404, 422), (url, resp.status_code)


def test_odd_batches_get_a_coded_refusal(client, enumerator, bearer):
    headers = bearer(enumerator)
    for body in ([], {"records": {}}, {"records": "x"}, {"records": [1, "a", None, [], {}]},
                 {"records": [{}] * 100_000}, {"other": 1}, {"records": [{"id": "\ud800"}]}):
        resp = client.post("/api/v1/submissions/batch", json=body, headers=headers)
        assert 400 <= resp.status_code < 500 or resp.status_code == 200, (str(body)[:60], resp.status_code)
        if resp.status_code == 200:
            assert all(400 <= r["status"] < 500 for r in resp.get_json()["results"])
    deep = b'{"records": [' + b"[" * 5000 + b"]" * 5000 + b"]}"
    resp = client.post("/api/v1/submissions/batch", data=deep, headers={**headers, "Content-Type": "application/json"})
    assert 400 <= resp.status_code < 500


@pytest.mark.parametrize("value", ["", "T-99999-99", "\u0000", "a" * 500, "06529"])
def test_odd_villages_for_last_years_households_are_refused(client, enumerator, bearer, value):
    resp = client.get(f"/api/v1/households/previous?village={value}", headers=bearer(enumerator))
    assert resp.status_code in (403, 404, 422), (value, resp.status_code)
