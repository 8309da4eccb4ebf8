"""The indicator pages: who sees which unit, the figures and links they show, the basis switch, and no script."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from server.core.scoping import unscoped
from server.indicators.operations import indicator_table
from server.submissions.models import Submission

# Deficits 9, 10, 11 with B1 ≤ 140 points: poor under 2022-2026 (as tests/review/test_review_views.py uses).
POOR = {"income": {"method": "points", "b1_points": 100}, "water_source": "surface", "toilet": "none",
        "internet_use": False}
COMMUNE, VILLAGE, VILLAGE_2 = "06529", "T-06529-01", "T-06529-02"


def text_of(response) -> str:
    """A page's text with HTML entities decoded."""
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def submit(post, household, enumerator, session):
    """submit(**fields) → the stored Submission of a new household record posted by the village's enumerator."""

    def send(user=None, **fields):
        record = household(**fields)
        response = post(record, user or enumerator)
        assert response.status_code == 201, response.get_json()
        session.expire_all()
        stmt = select(Submission).where(Submission.first_id == record["id"])
        return session.execute(unscoped(stmt, "test")).scalar_one()

    return send


@pytest.fixture
def approve(session, supervisor):
    """approve(form) → the form approved by the commune's supervisor (committed)."""
    from server.review.operations import act

    def step(form):
        act(supervisor, form, "approve", revision=form.revision)
        session.commit()
        return form

    return step


@pytest.fixture
def officer(make_user):
    """A provincial officer of Lạng Sơn."""
    return make_user("officer", "20")


def test_an_enumerator_does_not_get_the_dashboard(client, login, enumerator):
    login(enumerator)
    assert client.get("/indicators/").status_code == 403
    assert client.get(f"/indicators/{COMMUNE}").status_code == 403


def test_an_officer_lands_on_the_province_dashboard(client, login, officer):
    login(officer)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/indicators/")
    text = text_of(client.get("/indicators/"))
    assert "<h1><bdi>Lạng Sơn</bdi>" in text
    assert 'href="/indicators/"' in text  # in the menu


def test_a_supervisor_sees_their_commune_and_its_villages_only(client, login, supervisor, submit):
    submit(**POOR)
    login(supervisor)
    text = text_of(client.get("/indicators/"))
    assert "<h1><bdi>Xã Lộc Bình</bdi>" in text
    assert client.get(f"/indicators/{VILLAGE}?year=2025").status_code == 200
    assert client.get("/indicators/05977").status_code == 403       # another commune
    assert client.get("/indicators/20").status_code == 403          # the province
    # A code that names no unit is not told apart from one outside the area (as on every area-checked route).
    assert client.get("/indicators/99999").status_code == 403


def test_unit_names_holding_a_right_to_left_override_reverse_only_themselves(client, session, login, officer,
                                                                             submit):
    from bidi_text import hostile, overrides_running_on
    from server.places.models import Unit

    submit(**POOR)
    for code, name in ((COMMUNE, "Xã Lộc Bình"), (VILLAGE, "Thôn Thử Nghiệm Một")):
        session.get(Unit, code).name = hostile(name)  # imported from a CSV before such text was refused
    session.commit()
    login(officer)
    for url in ("/indicators/20?year=2025", f"/indicators/{COMMUNE}?year=2025", f"/indicators/{VILLAGE}?year=2025",
                f"/indicators/{COMMUNE}/status?year=2025", f"/indicators/{COMMUNE}/targets?year=2025", "/exports/"):
        text = text_of(client.get(url))
        assert "\u202e" in text and overrides_running_on(text) == [], url


def test_a_bad_basis_or_year_is_a_coded_error_naming_the_field(client, login, officer):
    login(officer)
    response = client.get("/indicators/?basis=everything", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert "basis" in response.get_data(as_text=True)
    response = client.get("/indicators/?year=20x5", headers={"Accept": "application/json"})
    assert response.status_code == 422 and "year" in response.get_data(as_text=True)


def _row(table: dict, code: str) -> dict:
    return next(r for r in table["rows"] if r["code"] == code)


def test_the_commune_page_shows_the_figures_of_the_table_and_says_its_basis(client, login, officer, supervisor,
                                                                             submit, approve, session):
    poor = approve(submit(**POOR))
    approve(submit())
    submit(**POOR)  # submitted, not approved: counted only on the "submitted" basis
    login(officer)
    text = text_of(client.get(f"/indicators/{COMMUNE}?year=2025"))
    table = indicator_table(2025, COMMUNE, "approved")
    mine = _row(table, COMMUNE)
    assert mine["poor"] == 1 and mine["surveyed"] == 3
    # One poor household of the 180 resident households of the commune's two test villages (100 + 80).
    assert mine["households"] == 180
    assert "0,56 %" in text
    assert "Đã duyệt ở xã trở lên" in text and "2022-2026" in text and "2025" in text
    # T-06529-02 has no resident persons count: the persons tile says the poor persons and that, not "of —".
    assert mine["persons"] is None
    assert f"{mine['poor_persons']} nhân khẩu nghèo; chưa có số nhân khẩu cư trú" in text
    # Both villages are rows of its table, each linked to its own page.
    assert f'href="/indicators/{VILLAGE}?year=2025&basis=approved"' in text
    assert f'href="/indicators/{VILLAGE_2}?year=2025&basis=approved"' in text

    text = text_of(client.get(f"/indicators/{COMMUNE}?year=2025&basis=submitted"))
    assert "1,11 %" in text                                 # 2 poor of 180
    assert "Mọi phiếu hiện hành (tạm tính)" in text
    assert poor.state == "approved"


def test_every_count_links_to_the_households_behind_it(client, login, officer, submit, approve):
    poor = approve(submit(**POOR))
    other = approve(submit())
    login(officer)
    text = text_of(client.get(f"/indicators/{COMMUNE}?year=2025"))
    link = re.search(r'href="(/review\?[^"]*class=poor[^"]*)"', text).group(1)
    assert "commune=06529" in link and "year=2025" in link and "basis=approved" in link
    queue = text_of(client.get(link))
    assert f">#{poor.id}<" in queue and f">#{other.id}<" not in queue
    # The deficit profile links each indicator to the poor households deprived on it (9: water, POOR has it).
    deficit = re.search(r'href="(/review\?[^"]*deficit=9[^"]*class=poor[^"]*|/review\?[^"]*class=poor[^"]*'
                        r'deficit=9[^"]*)"', text).group(1)
    assert f">#{poor.id}<" in text_of(client.get(deficit))


def test_the_figures_change_at_once_after_an_approval(client, login, officer, submit, approve):
    form = submit(**POOR)
    login(officer)
    before = text_of(client.get(f"/indicators/{COMMUNE}?year=2025"))
    approve(form)
    after = text_of(client.get(f"/indicators/{COMMUNE}?year=2025"))
    assert "0,00 %" in before and "0,56 %" in after


def test_unit_names_are_escaped_and_the_page_has_no_script_or_inline_style(client, login, officer, session,
                                                                           submit, approve):
    from server.places.operations import import_villages

    import_villages(f"commune_code,village_code,name,households_2025\n{COMMUNE},X-06529-09,"
                    "<script>alert(1)</script> Bản,40\n", source="tests")
    session.commit()
    approve(submit(**POOR))
    login(officer)
    raw = client.get(f"/indicators/{COMMUNE}?year=2025").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt; Bản" in raw
    assert "<script" not in raw and " style=" not in raw and "<style" not in raw
    assert raw.count("<svg") >= 3 and raw.count('role="img"') == raw.count("<svg")


def test_the_province_page_lists_every_commune_with_its_rates(client, login, officer, submit, approve):
    approve(submit(**POOR))
    login(officer)
    text = text_of(client.get("/indicators/?year=2025"))
    table = indicator_table(2025, "20", "approved")
    communes = [r for r in table["rows"] if r["level"] == "commune"]
    assert len(communes) == 65
    for r in communes:
        assert f'href="/indicators/{r["code"]}?year=2025&basis=approved"' in text
    assert "Xã Lộc Bình" in text


def test_a_unit_without_forms_says_so(client, login, officer):
    login(officer)
    text = text_of(client.get("/indicators/05977"))
    assert "Chưa có phiếu hộ nào" in text


def test_the_targets_page_shows_each_target_with_its_state_and_a_progress_bar(client, login, officer, submit,
                                                                              approve, session):
    from server.indicators.targets import evaluate_targets, save_target

    approve(submit(**POOR))
    save_target(officer, {"unit_code": COMMUNE, "year": "2025", "indicator": "poverty_rate",
                          "comparison": "at_most", "target_value": "5", "source": "Kế hoạch thử nghiệm số 1"})
    session.commit()
    login(officer)
    main = text_of(client.get(f"/indicators/{COMMUNE}?year=2025"))
    assert f'href="/indicators/{COMMUNE}/targets?year=2025&basis=approved"' in main
    text = text_of(client.get(f"/indicators/{COMMUNE}/targets?year=2025"))
    [target] = evaluate_targets(2025, COMMUNE, "approved", actor=officer)
    assert target["status"] == "met" and target["current"] == pytest.approx(100 / 180)
    assert "Tỷ lệ hộ nghèo" in text and "Đạt" in text and "Kế hoạch thử nghiệm số 1" in text
    assert 'class="chart progress"' in text and " style=" not in text
    assert "2022-2026" in text  # its rule set and year, like every figure


def test_the_status_page_puts_official_beside_indicative(client, login, officer, submit, approve):
    approve(submit(**POOR))
    login(officer)
    response = client.get(f"/indicators/{COMMUNE}/status?year=2025")
    assert response.status_code == 200
    text = text_of(response)
    assert "tham khảo" in text and "chính thức" in text


def test_the_targets_and_status_pages_keep_to_the_viewers_area(client, login, supervisor, enumerator):
    login(supervisor)
    assert client.get("/indicators/05977/targets").status_code == 403
    assert client.get("/indicators/05977/status").status_code == 403
    login(enumerator)
    assert client.get(f"/indicators/{COMMUNE}/targets").status_code == 403
