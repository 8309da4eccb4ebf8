"""The enumerator's day in the collector: last year's households offered as a starting point, a sign-in that
ends (401) without losing the outbox, a full phone storage said on screen, and the village form."""

from __future__ import annotations

import pytest
from collect_app import (ENUMERATOR, PASSWORD, VILLAGE, Phone, add_user, collector, household, local_entries, log_in,
                         next_page, open_member, queue_records, states, stored, wait_until)
from poverty_records import base_record, person

pytestmark = pytest.mark.browser


def test_the_login_names_the_field_at_fault_and_a_one_time_password_leads_to_the_website(backend, chromium,
                                                                                          playwright, tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        add_user(server, "rsv.moi", "enumerator", VILLAGE, must_change_password=True)
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        posts = []
        page.on("request", lambda r: posts.append(r.url) if r.url.endswith("/api/v1/token") else None)
        page.goto("/collect/")
        submit = page.locator("form.login button[type=submit]")
        submit.click()                                   # nothing typed: said at each field, nothing sent
        assert page.locator("#login-username-error").inner_text() == "Cần nhập tên đăng nhập."
        assert page.locator("#login-password-error").inner_text() == "Cần nhập mật khẩu."
        assert posts == []
        page.fill("#login-username", "rsv\u0000thu")     # refused by the server: its message under the field
        page.fill("#login-password", PASSWORD)
        submit.click()
        page.locator("#login-username-error").wait_for()
        assert "ký tự điều khiển" in page.locator("#login-username-error").inner_text()
        assert page.locator("#login-password-error").is_hidden()
        phone.shot("login-errors")
        page.fill("#login-username", "rsv.moi")          # a one-time password: change it on the website first
        submit.click()
        link = page.locator("form.login .msg-error a")
        link.wait_for()
        assert link.get_attribute("href") == "/account/password"
        phone.close()


def test_last_years_household_is_the_starting_point_of_a_re_survey(backend, chromium, playwright, tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        token = server.token(ENUMERATOR)
        last_year = base_record(village_code=VILLAGE, household_code="TT-2025-04",
                                members=[person(1, name="Triệu Văn Cũ"), person(2, name="Hà Thị Cũ")])
        status, body = server.api("POST", "/api/v1/submissions", last_year, token=token)
        assert status == 201, body
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        log_in(page)
        start = page.locator("#previous li", has_text="Triệu Văn Cũ")
        start.wait_for()
        phone.shot("previous")
        start.locator("button").click()
        page.locator('[data-key="review_year"]').wait_for()
        [draft] = local_entries(page)
        record = draft["record"]
        assert record["id"] != last_year["id"] and record["review_year"] == last_year["review_year"] + 1
        assert [m["name"] for m in record["members"]] == ["Triệu Văn Cũ", "Hà Thị Cũ"]
        assert record["housing"] == last_year["housing"] and record["household_code"] == "TT-2025-04"
        assert "income" not in record                    # asked again this year
        next_page(page, "quick_screen_items")
        next_page(page, "members")
        assert open_member(page, 1).locator('[data-key="name"] input').input_value() == "Hà Thị Cũ"
        page.locator("#back-home").click()
        page.locator("#new-household").wait_for()
        assert page.locator("#previous li", has_text="Triệu Văn Cũ").count() == 0   # taken: not offered twice
        phone.close()


def test_a_revoked_sign_in_asks_to_log_in_again_and_keeps_the_outbox(backend, chromium, playwright, tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        log_in(page)
        token = page.evaluate("""async () => new Promise((resolve) => {
            const open = indexedDB.open('rasoat-collect');
            open.onsuccess = () => { const get = open.result.transaction('meta').objectStore('meta').get('token');
                                     get.onsuccess = () => { open.result.close(); resolve(get.result); }; };
        })""")
        assert server.api("DELETE", "/api/v1/token", token=token)[0] == 204    # e.g. the password was changed
        records = [household(household_code=f"AUTH-{n}") for n in range(2)]
        queue_records(page, records)
        page.locator("#sync-now").click()
        page.locator("#login-username").wait_for()
        assert "đăng nhập lại" in page.locator("form.login").inner_text()
        assert set(states(page).values()) == {"waiting"}
        phone.shot("login-again")
        page.fill("#login-username", ENUMERATOR[0])
        page.fill("#login-password", PASSWORD)
        page.click("form.login button[type=submit]")
        wait_until(lambda: set(states(page).values()) == {"sent"}, what="the kept forms sent after the new sign-in")
        assert sorted(f["id"] for f in stored(server)) == sorted(r["id"] for r in records)
        phone.close()


def test_a_full_storage_is_said_on_screen_not_swallowed(backend, chromium, playwright, tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        log_in(page)
        page.locator("#new-household").click()
        page.locator('[data-key="household_code"] input').wait_for()
        # The phone is full from now on: every write to IndexedDB fails as Chromium fails it.
        page.evaluate("""() => {
            IDBObjectStore.prototype.put = function () {
                throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
            };
        }""")
        page.locator('[data-key="household_code"] input').fill("FULL-1")
        page.locator("#back-home").click()
        notice = page.locator('[data-notice="storage"]')
        notice.wait_for()
        assert "Bộ nhớ của máy đã đầy" in notice.inner_text()
        phone.shot("storage-full")
        phone.close()


def test_the_village_form_opens_and_is_kept_as_a_draft(backend, chromium, playwright, tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        log_in(page)
        page.locator("#village-form").click()
        page.locator(".fm-next").wait_for()
        [draft] = local_entries(page)
        assert draft["kind"] == "village" and draft["record"]["kind"] == "village"
        assert draft["record"]["village_code"] == VILLAGE and draft["record"]["commune_code"] == "06529"
        phone.shot("village-form")
        page.locator("#back-home").click()
        page.locator(f'#outbox [data-id="{draft["id"]}"][data-state="draft"]').wait_for()
        phone.close()


def test_a_draft_opens_again_at_the_page_it_was_left_at(backend, chromium, playwright, tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        log_in(page)
        page.locator("#new-household").click()
        step = page.locator(".fm-step")
        first = step.inner_text()
        page.locator(".fm-next").click()
        page.locator(".fm-next").click()
        third = step.inner_text()
        assert third != first and third.startswith("Phần 3/")
        page.locator("#back-home").click()
        [draft] = local_entries(page)
        page.reload()                                    # a closed tab: the draft opens where it was left
        page.locator(f'#outbox [data-id="{draft["id"]}"]').get_by_role("button", name="Mở").click()
        page.locator(".fm-step", has_text=third).wait_for()
        phone.close()


def test_a_form_the_server_refuses_is_kept_with_its_message_and_can_be_fixed(backend, chromium, playwright, tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        log_in(page)
        # Refused for its water source (and the right-to-left override in its code, which the list isolates).
        bad = household(household_code="REFUSED-\u202e1", water_source="a_river_far_away")
        good = household(household_code="GOOD-1")
        queue_records(page, [bad, good])
        page.locator("#sync-now").click()
        wait_until(lambda: states(page) == {bad["id"]: "refused", good["id"]: "sent"}, what="one refused, one sent")
        page.reload()
        card = page.locator(f'#outbox [data-id="{bad["id"]}"][data-state="refused"]')
        card.wait_for()
        assert "Nguồn nước sinh hoạt:" in card.inner_text()   # the field the server names, as people read it
        assert page.locator(".sync-refused").inner_text() == "1 phiếu máy chủ không nhận: mở ra để sửa"
        assert card.locator("bdi").inner_text() == bad["household_code"]
        phone.shot("refused")
        [kept] = [e for e in local_entries(page) if e["id"] == bad["id"]]
        assert kept["record"] == bad and kept["error"]["status"] == 422
        card.get_by_role("button", name="Mở").click()              # opened: the server's message is at its field
        banner = page.locator(".fm-comments")
        assert "Máy chủ không nhận" in banner.locator("summary").inner_text()
        banner.locator(".fm-comment-go", has_text="Nguồn nước sinh hoạt").click()
        at_field = page.locator('[data-key="water_source"] .fq-comment')
        at_field.wait_for()
        assert "Máy chủ không nhận câu trả lời này" in at_field.inner_text()
        phone.shot("refused-open")
        page.locator("#back-home").click()
        page.locator("#outbox").wait_for()
        assert [f["id"] for f in stored(server)] == [good["id"]]
        page.evaluate("""async (id) => {                      // fixed on the phone, finished again
            const outbox = await import('/static/js/lib/outbox.js');
            const item = await outbox.entry(id);
            item.record.water_source = 'piped';
            item.record.household_code = 'REFUSED-1';
            await outbox.saveRecord(id, item.record);
            await outbox.enqueue(id);
        }""", bad["id"])
        page.locator("#sync-now").click()
        wait_until(lambda: states(page)[bad["id"]] == "sent", what="the fixed form sent")
        assert sorted(f["id"] for f in stored(server)) == sorted([bad["id"], good["id"]])
        phone.close()
