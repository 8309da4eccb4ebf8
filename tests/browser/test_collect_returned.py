"""A returned form's round trip on the phone: the supervisor returns it with a comment at a field, the phone pulls
it, shows the comment at that field, the enumerator fixes it and sends a correction; the server then holds one
household with two versions."""

from __future__ import annotations

import pytest
from collect_app import (ARTIFACTS, Phone, collector, household, log_in, next_page, open_member, queue_records,
                         return_with_comment, states, stored, submit_form, wait_until)
from poverty_records import person

pytestmark = pytest.mark.browser


def test_a_returned_form_shows_the_comment_at_its_field_and_goes_back_as_a_correction(backend, chromium, playwright,
                                                                                       tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        log_in(page)
        record = household(household_code="TT-RET", members=[person(1), person(2, birth_date="1990-05-05")])
        queue_records(page, [record])
        page.locator("#sync-now").click()
        wait_until(lambda: states(page).get(record["id"]) == "sent", what="the form to be sent")

        return_with_comment(server, record["id"], "members[1].birth_date", "Ngày sinh của vợ sai, xem lại CCCD.")
        page.locator("#sync-now").click()
        card = page.locator(f'#outbox [data-id="{record["id"]}"][data-state="returned"]')
        wait_until(lambda: states(page).get(record["id"]) == "returned", what="the returned form to be pulled")
        page.reload()
        card.wait_for()
        assert "Thành viên 2 · Ngày sinh: Ngày sinh của vợ sai" in card.inner_text()   # the field as people read it
        phone.shot("returned")

        card.locator("button.btn-primary").click()           # fix and resend
        page.locator('[data-key="review_year"]').wait_for()
        next_page(page, "quick_screen_items")
        next_page(page, "members")
        spouse = page.locator(".fr-item").nth(1)
        assert "1" in spouse.locator(".fr-status").text_content()   # the closed member says it has a comment
        spouse = open_member(page, 1)
        comment = spouse.locator('[data-key="birth_date"] .fq-comment')
        comment.scroll_into_view_if_needed()
        assert comment.is_visible() and "Ngày sinh của vợ sai" in comment.text_content()
        page.screenshot(path=str(ARTIFACTS / "collect-returned-at-field.png"))
        spouse.locator('[data-key="birth_date"] input').fill("1991-06-06")
        for _ in range(5):                                  # income, living, other, place, summary
            page.locator(".fm-next").click()
        page.locator(".fm-submit").wait_for()
        submit_form(page)
        wait_until(lambda: "corrected" in states(page).values() and list(states(page).values()).count("sent") == 1,
                   what="the correction to be sent")

        [form] = stored(server)
        assert form["first_id"] == record["id"] and form["id"] != record["id"]
        assert form["version"] == 2 and form["state"] == "resubmitted"
        assert form["record"]["supersedes"] == record["id"]
        assert form["record"]["members"][1]["birth_date"] == "1991-06-06"
        phone.close()
