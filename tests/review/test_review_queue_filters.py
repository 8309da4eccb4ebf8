"""The queue filters the indicator pages link to: basis (which forms a figure counts), deficit indicator, and last
year's class of the same household code; values that match nothing are dropped, the other filters still work."""

from __future__ import annotations

import html
import re

import pytest

from server.review.operations import act

POOR = {"income": {"method": "points", "b1_points": 100}, "water_source": "surface", "toilet": "none",
        "internet_use": False}  # deficits 9, 10, 11 with B1 ≤ 140: poor
INTERVIEW_2024 = {"started_at": "2024-10-05T08:30:00+07:00", "enumerator": "u1"}


def listed(client, **args) -> set[int]:
    """The form ids the supervisor's queue lists with these query arguments."""
    text = html.unescape(client.get("/review", query_string=args).get_data(as_text=True))
    return {int(i) for i in re.findall(r'<span class="muted">#(\d+)</span>', text)}


@pytest.fixture
def approve(session, supervisor):
    def step(form):
        act(supervisor, form, "approve", revision=form.revision)
        session.commit()
        return form

    return step


def test_the_basis_filter_lists_the_forms_a_figure_counts(client, login, supervisor, submit, approve):
    waiting = submit(**POOR)
    approved = approve(submit(**POOR))
    login(supervisor)
    assert listed(client, year=2025, basis="submitted") == {waiting.id, approved.id}
    assert listed(client, year=2025, basis="approved") == {approved.id}
    assert listed(client, year=2025, basis="recognised") == set()
    assert listed(client, year=2025, basis="approved", **{"class": "poor"}) == {approved.id}
    text = client.get("/review", query_string={"year": 2025, "basis": "approved"}).get_data(as_text=True)
    assert "Đã duyệt ở xã trở lên" in html.unescape(text)  # the filter is shown, and can be removed


def test_the_deficit_filter_lists_the_households_deprived_on_that_indicator(client, login, supervisor, submit):
    poor = submit(**POOR)
    other = submit()
    login(supervisor)
    assert listed(client, year=2025) == {poor.id, other.id}
    for n in (9, 10, 11):
        assert listed(client, year=2025, deficit=n) == {poor.id}
    assert listed(client, year=2025, deficit=1) == set()


def test_the_previous_filter_follows_the_household_code_to_last_years_settled_form(client, login, supervisor,
                                                                                   submit, approve):
    approve(submit(review_year=2024, household_code="LB-001", interview=INTERVIEW_2024, **POOR))
    submit(review_year=2024, household_code="LB-002", interview=INTERVIEW_2024)  # not settled: not last year's
    escaped = submit(household_code="LB-001")
    not_followed = submit(household_code="LB-002")
    new = submit()
    login(supervisor)
    assert listed(client, year=2025, previous="poor") == {escaped.id}
    assert listed(client, year=2025, previous="none") == {not_followed.id, new.id}
    assert listed(client, year=2025, previous="poor", **{"class": "not_poor"}) == {escaped.id}


@pytest.mark.parametrize("args", [{"basis": "everything"}, {"deficit": "99"}, {"deficit": "x"},
                                  {"previous": "rich"}])
def test_a_value_that_cannot_match_is_dropped(client, login, supervisor, submit, args):
    forms = {submit(**POOR).id, submit().id}
    login(supervisor)
    assert listed(client, year=2025, **args) == forms
