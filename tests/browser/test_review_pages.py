"""The supervisor's review pages in real Chromium on a 360 px phone: the queue, a household, a step (CSRF on)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from poverty_records import base_record, person
from test_shell import assert_fits, assert_tappable, shot

pytestmark = pytest.mark.browser

HEAD = "Hoàng Thị Phương Thảo Nguyễn Lê"  # a long name: it must wrap, not widen the page


def _enumerator_token(app) -> tuple[str, str]:
    """A bearer token of the live server's enumerator, and their village."""
    from sqlalchemy import select

    from server.accounts.models import User
    from server.accounts.operations import issue_token
    from server.core.scoping import unscoped
    from server.extensions import db

    with app.app_context():
        user = db.session.execute(unscoped(select(User).where(User.role == "enumerator"), "test")).scalar_one()
        token, _row = issue_token(user, label="browser test")
        db.session.commit()
        village = user.unit_code
        db.session.remove()
    return token, village


def _post_household(page, app, head: str = HEAD, id_number: str = "001190012345") -> None:
    """Post one poor household of the enumerator's village through the sync API, as a phone would."""
    token, village = _enumerator_token(app)
    record = base_record(village_code=village, household_code="LB-0001-2025-000123",
                         members=[person(1, name=head, id_number=id_number), person(2, name="Nông Văn Bình")],
                         income={"method": "points", "b1_points": 100}, water_source="surface", toilet="none",
                         internet_use=False)
    response = page.context.request.post("/api/v1/submissions", data=record,
                                         headers={"Authorization": f"Bearer {token}"})
    assert response.status == 201, response.text()


def test_supervisor_reviews_a_household_at_360px(page, log_in, live_server):
    _post_household(page, live_server.app)
    log_in("supervisor")
    assert urlparse(page.url).path == "/review"
    row = page.locator("table.queue tbody tr", has_text=HEAD)
    expect(row).to_contain_text("Hộ nghèo")
    assert_fits(page)
    shot(page, "review-queue")

    with page.expect_navigation():
        row.locator("a").first.click()
    expect(page.locator("h1")).to_have_text(HEAD)
    expect(page.locator("main")).to_contain_text("9. Nguồn nước sinh hoạt")
    assert_fits(page)
    shot(page, "review-household")

    # Returning without a reason is refused at the field, and the browser is back on the household's page.
    household_path = urlparse(page.url).path
    with page.expect_navigation():
        page.locator("button[name=action][value=return]").click()
    assert urlparse(page.url).path == household_path
    expect(page.locator("#steps ul.errors").first).to_contain_text("Cần ghi lý do.")
    expect(page.locator("#steps textarea#comment")).to_have_attribute("aria-invalid", "true")
    assert_fits(page)
    page.locator("#steps").scroll_into_view_if_needed()
    shot(page, "review-household-refused")
    page.reload()  # a reload is a GET: nothing posted again, the error is gone
    expect(page.locator("#steps ul.errors")).to_have_count(0)

    approve = page.locator("button[name=action][value=approve]")
    assert_tappable(approve, "the approve button")
    with page.expect_navigation():
        approve.click()
    expect(page.locator(".flash")).to_contain_text("Xã đã duyệt")
    expect(page.locator(".meta .badge")).to_have_text("Xã đã duyệt")
    assert_fits(page)

    page.goto("/review/meeting")
    assert_fits(page)
    with page.expect_navigation():
        page.locator("main a", has_text="Thôn Trình Duyệt").click()
    expect(page.locator("main table")).to_contain_text(HEAD)
    page.fill("input[name=attendees]", "12")
    votes = page.locator("input.votes").first
    expect(votes).to_have_value("")  # no vote is filled in for the supervisor
    expect(page.locator("input[name=include]").first).not_to_be_checked()
    votes.fill("9")
    expect(page.locator("input[name=include]").first).to_be_checked()  # typing the votes ticks the household
    assert_fits(page)
    shot(page, "review-meeting")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("1 hộ được thống nhất")
