"""A commune supervisor's first use (issue 10, items 14-19): no vote by default, no impossible date, duplicates
set aside, refusals at the field after a redirect, no code or mixed language shown, forms counted as forms."""

from __future__ import annotations

import html
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from poverty_records import person
from server.core.db import local_today
from server.core.errors import Problem
from server.review.operations import record_decision, record_meeting


def today():
    """Today in Vietnam, read when used: a run may cross midnight there (17:00 UTC)."""
    return local_today()

VILLAGE = "T-06529-01"


def head(name: str, **fields) -> dict:
    """The members of a household whose head has this name (distinct names: not flagged as duplicates)."""
    return {"members": [person(1, name=name, **fields), person(2, name=f"Vợ {name}")]}


def page(response) -> str:
    """A page's text with HTML entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def queue_names(text: str) -> list[str]:
    """The head names listed in the queue's table, in order."""
    return re.findall(r'<a href="/review/\d+"><strong><bdi>([^<]*)</bdi></strong>', text)


def step(client, form, action, **data):
    """Post a step from the household page (as the browser does); return the response."""
    return client.post(f"/review/{form.id}/act", data={"action": action, "revision": form.revision, **data})


@pytest.fixture
def approved(client, login, supervisor, submit, form_of):
    """approved(*names) → household forms approved on their pages (the supervisor is signed in)."""
    login(supervisor)

    def make(*names, **fields):
        forms = [submit(**head(name), **fields) for name in names]
        for form in forms:
            assert step(client, form, "approve").status_code == 302
        return [form_of({"id": f.first_id}) for f in forms]

    return make


def meeting_data(forms, **extra) -> dict:
    """The meeting form's fields for these households (ticked, their revisions), plus `extra`."""
    data = {"held_on": today().isoformat(), "attendees": "10", "include": [f.id for f in forms]}
    data.update({f"revision-{f.id}": f.revision for f in forms})
    data.update(extra)
    return data


# --- 14. No vote is recorded by default ---------------------------------------------------------------------------

def test_the_meeting_form_ticks_nothing_and_fills_in_no_vote(client, approved):
    one, two = approved("Hoàng Văn Một", "Nông Văn Hai")
    text = page(client.get(f"/review/meeting?village={VILLAGE}"))
    assert re.findall(r'<input type="checkbox" name="include" value="\d+" id="include-\d+" checked', text) == []
    assert re.findall(r'name="votes-\d+"\s+value="[^"]+"', text) == []
    assert 'name="all_in_favour"' in text and "Tất cả người dự họp đều đồng ý" in text
    assert "Ô trống được tính" not in text and "counts as every attendee" not in text


def test_an_empty_votes_box_is_refused_naming_the_household(client, approved, form_of):
    one, two = approved("Hoàng Văn Một", "Nông Văn Hai")
    response = client.post(f"/review/meeting?village={VILLAGE}",
                           data=meeting_data([one, two], **{f"votes-{one.id}": "7", f"votes-{two.id}": ""}))
    text = page(response)
    assert response.status_code == 422
    row = text[text.index(f'name="votes-{two.id}"'):]
    assert row.index("Nhập số người đồng ý (hoặc đánh dấu “tất cả đồng ý”).") < row.index("</tr>")
    assert [form_of({"id": f.first_id}).state for f in (one, two)] == ["approved", "approved"]


def test_all_in_favour_is_an_explicit_mark_for_the_empty_boxes(client, approved, form_of):
    one, two = approved("Hoàng Văn Một", "Nông Văn Hai")
    response = client.post(f"/review/meeting?village={VILLAGE}", data=meeting_data(
        [one, two], all_in_favour="y", **{f"votes-{one.id}": "3", f"votes-{two.id}": ""}))
    assert response.status_code == 302
    assert [form_of({"id": f.first_id}).state for f in (one, two)] == ["resurvey", "agreed"]
    assert "Họp dân: 10/10 người đồng ý" in page(client.get(f"/review/{two.id}"))
    assert "Họp dân: 3/10 người đồng ý" in page(client.get(f"/review/{one.id}"))


def test_votes_typed_for_a_household_not_ticked_are_not_lost_silently(client, approved, form_of):
    one, two = approved("Hoàng Văn Một", "Nông Văn Hai")
    data = meeting_data([one], **{f"votes-{one.id}": "6", f"votes-{two.id}": "9"})
    response = client.post(f"/review/meeting?village={VILLAGE}", data=data)
    assert response.status_code == 422
    assert "Hãy đánh dấu hộ này, hoặc xóa số trong ô số người đồng ý." in page(response)
    assert form_of({"id": one.first_id}).state == "approved"


def test_the_operation_refuses_a_missing_vote(session, approved, supervisor):
    (one,) = approved("Hoàng Văn Một")
    with pytest.raises(Problem) as refused:
        record_meeting(supervisor, village_code=VILLAGE, held_on=today(), attendees=10, minutes_ref=None, note=None,
                       votes={one.id: (one.revision, None)})
    assert [f["path"] for f in refused.value.fields] == [f"votes[{one.id}]"]


# --- 15. Dates that cannot be -------------------------------------------------------------------------------------

def test_a_meeting_dated_before_the_approval_is_refused_at_the_date(client, approved, form_of, supervisor):
    (one,) = approved("Hoàng Văn Một")
    yesterday = today() - timedelta(days=1)
    with pytest.raises(Problem) as refused:
        record_meeting(supervisor, village_code=VILLAGE, held_on=yesterday, attendees=10, minutes_ref=None,
                       note=None, votes={one.id: (one.revision, 10)})
    assert [f["path"] for f in refused.value.fields] == ["held_on"]
    assert "Hoàng Văn Một" in refused.value.fields[0]["message"]["vi"]

    response = client.post(f"/review/meeting?village={VILLAGE}", data=meeting_data(
        [one], held_on=yesterday.isoformat(), **{f"votes-{one.id}": "10"}))
    text = page(response)
    assert response.status_code == 422
    assert re.search(r'name="held_on"[^>]*>\s*<ul class="errors"><li>Ngày [0-9/]+ trước ngày xã duyệt hộ '
                     r'Hoàng Văn Một', text)
    assert form_of({"id": one.first_id}).state == "approved"


def test_a_decision_dated_before_the_approval_is_refused_at_the_date(client, approved, form_of, supervisor):
    (one,) = approved("Hoàng Văn Một")
    assert client.post(f"/review/meeting?village={VILLAGE}",
                       data=meeting_data([one], all_in_favour="y")).status_code == 302
    one = form_of({"id": one.first_id})
    with pytest.raises(Problem) as refused:
        record_decision(supervisor, commune_code="06529", number="9/QĐ-UBND", signed_on=today() - timedelta(days=3),
                        revisions={one.id: one.revision})
    assert [f["path"] for f in refused.value.fields] == ["signed_on"]
    response = client.post("/review/decision", data={"number": "9/QĐ-UBND",
                                                     "signed_on": (today() - timedelta(days=3)).isoformat(),
                                                     "include": [one.id], f"revision-{one.id}": one.revision})
    assert response.status_code == 422
    assert re.search(r'name="signed_on"[^>]*>\s*<ul class="errors"><li>Ngày [0-9/]+ trước ngày xã duyệt hộ',
                     page(response))
    assert form_of({"id": one.first_id}).state == "agreed"


def test_an_interview_outside_the_review_window_is_flagged_in_the_queue(client, login, supervisor, submit):
    august = {"interview": {"started_at": "2025-08-20T08:30:00+07:00", "ended_at": "2025-08-20T09:30:00+07:00",
                            "enumerator": "u1"}}
    submit(**august, **head("Hoàng Văn Sớm"))
    submit(**head("Nông Văn Đúng"))
    login(supervisor)
    text = page(client.get("/review"))
    assert "Ngày phỏng vấn ngoài kỳ rà soát: 1" in text
    assert "Phỏng vấn ngày 20/08/2025, ngoài thời gian rà soát năm 2025 (từ 01/09/2025 đến 14/12/2025)." in text
    assert queue_names(page(client.get("/review?flag=interview_date"))) == ["Hoàng Văn Sớm"]


# --- 16. Duplicates set aside -------------------------------------------------------------------------------------

def test_a_duplicate_is_set_aside_counts_nowhere_and_can_be_restored(client, login, supervisor, submit, form_of,
                                                                      events, bearer, enumerator):
    kept = submit(**head("Hoàng Văn Một", id_number="001090000001"))
    twin = submit(**head("Hoàng Văn Một", id_number="001090000001"))
    login(supervisor)
    before = page(client.get("/review"))
    assert "Phiếu hộ đã nhận: 2" in before and "Có thể trùng hộ: 2" in before
    household = page(client.get(f"/review/{twin.id}"))
    assert re.search(rf'name="duplicate_of"[^>]*value="{kept.id}"', household)  # the flagged twin, proposed

    response = step(client, twin, "set_aside", duplicate_of=kept.id, comment="Cùng một hộ, nhập hai lần.")
    assert response.status_code == 302
    twin = form_of({"id": twin.first_id})
    assert (twin.state, twin.duplicate_of_id) == ("submitted", kept.id)
    [audit] = events("review.set_aside")
    assert (audit.target_id, audit.detail["duplicate_of"]) == (str(twin.id), kept.id)

    after = page(client.get("/review"))
    assert "Phiếu hộ đã nhận: 1" in after and "Đã gửi: 1" in after and "Có thể trùng hộ:" not in after
    assert "Đã gác lại vì trùng (không tính): 1" in after and queue_names(after) == ["Hoàng Văn Một"]
    aside = page(client.get("/review?set_aside=1"))
    assert len(queue_names(aside)) == 1 and "Phiếu đã gác lại vì trùng" in aside
    assert f'/review/{twin.id}"' in aside

    page_text = page(client.get(f"/review/{twin.id}"))
    assert f"Phiếu này đã được gác lại vì trùng với phiếu #{kept.id}" in page_text
    assert 'value="approve"' not in page_text and 'value="restore"' in page_text
    refused = step(client, twin, "approve")
    assert refused.status_code == 303
    assert "Không thể 'Duyệt' phiếu đang ở trạng thái 'Đã gác lại: trùng với phiếu khác'." in page(
        client.get(refused.headers["Location"]))

    # The phone is told, and may not correct it meanwhile.
    item = next(i for i in client.get("/api/v1/submissions", headers=bearer(enumerator)).get_json()["items"]
                if i["first_id"] == twin.first_id)
    assert item["set_aside"] is True and item["duplicate_of"] == kept.first_id and item["with_enumerator"] is False

    assert step(client, twin, "restore").status_code == 302
    twin = form_of({"id": twin.first_id})
    assert (twin.state, twin.duplicate_of_id) == ("submitted", None)
    assert [e.detail["duplicate_of"] for e in events("review.restore")] == [kept.id]
    assert "Phiếu hộ đã nhận: 2" in page(client.get("/review"))
    history = page(client.get(f"/review/{twin.id}"))
    assert "Gác lại vì trùng phiếu" in history and "Khôi phục phiếu đã gác lại" in history
    assert f"Trùng với phiếu #{kept.id}" in history and "Cùng một hộ, nhập hai lần." in history


def test_a_set_aside_form_is_not_put_to_the_meeting_nor_corrected(client, approved, form_of, post, household,
                                                                   enumerator):
    record = household(**head("Nông Văn Hai"))
    assert post(record, enumerator).status_code == 201
    kept, = approved("Hoàng Văn Một")
    twin = form_of(record)
    assert step(client, twin, "approve").status_code == 302
    twin = form_of(record)
    assert step(client, twin, "set_aside", duplicate_of=kept.id).status_code == 302
    assert twin.id not in [int(i) for i in re.findall(r'name="include" value="(\d+)"', page(
        client.get(f"/review/meeting?village={VILLAGE}")))]
    assert "1 hộ đã duyệt đang chờ" in page(client.get("/review/meeting"))
    correction = dict(record, id=str(uuid.uuid4()), supersedes=record["id"], toilet="none")
    response = post(correction, enumerator)
    assert response.status_code == 409
    body = response.get_json()["error"]
    assert body["code"] == "submission_locked" and "Set aside" in body["message"]["en"]


@pytest.mark.parametrize("target", ["self", "missing", "other_commune", "set_aside"])
def test_setting_aside_needs_another_form_of_the_commune_shown_at_the_field(client, login, supervisor, submit,
                                                                             make_user, form_of, target):
    one = submit(**head("Hoàng Văn Một"))
    two = submit(**head("Nông Văn Hai"))
    outside = make_user("enumerator", "T-05977-01", username="enum-out")
    far = submit(user=outside, commune_code="05977", village_code="T-05977-01", **head("Lý Thị Ngoài"))
    login(supervisor)
    if target == "set_aside":
        three = submit(**head("Lục Thị Ba"))
        assert step(client, two, "set_aside", duplicate_of=three.id).status_code == 302
    number = {"self": one.id, "missing": 999999, "other_commune": far.id, "set_aside": two.id}[target]
    response = step(client, one, "set_aside", duplicate_of=number)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/review/{one.id}#set-aside")
    text = page(client.get(response.headers["Location"]))
    assert re.search(r'id="aside-duplicate_of"[^>]*>\s*<ul class="errors"><li>(Nhập số của một phiếu hộ khác|'
                     r'Phiếu #\d+ cũng đã bị gác lại)', text)
    assert form_of({"id": one.first_id}).duplicate_of_id is None


def test_a_form_others_lean_on_cannot_be_set_aside_before_they_are_restored(client, login, supervisor, submit):
    one, two, three = (submit(**head(n)) for n in ("Hoàng Văn Một", "Nông Văn Hai", "Lục Thị Ba"))
    login(supervisor)
    assert step(client, two, "set_aside", duplicate_of=one.id).status_code == 302
    response = step(client, one, "set_aside", duplicate_of=three.id)
    assert f"Phiếu #{two.id} đã được gác lại là trùng với phiếu này" in page(client.get(response.headers["Location"]))


# --- 17. Refusals at the field, after a redirect ------------------------------------------------------------------

def test_a_refused_step_redirects_and_a_reload_does_not_post_again(client, login, supervisor, submit, events):
    form = submit(**head("Hoàng Văn Một"))
    login(supervisor)
    response = step(client, form, "return", comment="  ")
    assert response.status_code == 303
    first = page(client.get(response.headers["Location"]))
    assert "Cần ghi lý do." in first and "xem từng trường" not in first
    again = page(client.get(response.headers["Location"]))  # a reload is a GET of the page: nothing kept twice
    assert "Cần ghi lý do." not in again
    assert not events("review.return")


# --- 18. Words that leak ------------------------------------------------------------------------------------------

def test_the_resurvey_reason_is_in_the_readers_language(client, approved, form_of, session):
    (one,) = approved("Hoàng Văn Một")
    assert client.post(f"/review/meeting?village={VILLAGE}",
                       data=meeting_data([one], **{f"votes-{one.id}": "4"})).status_code == 302
    vi = page(client.get(f"/review/{one.id}"))
    assert "Họp dân: 4/10 người đồng ý · dưới một nửa: phải rà soát lại" in vi and "Village meeting" not in vi
    client.post("/lang/en", data={"next": "/"})
    en = page(client.get(f"/review/{one.id}"))
    assert "Village meeting: 4 of 10 in favour · under half: sent back for re-survey" in en
    assert "Họp dân" not in en


def test_a_comments_history_names_the_member_and_the_answer(client, login, supervisor, submit):
    form = submit(**head("Hoàng Văn Một"))
    login(supervisor)
    assert client.post(f"/review/{form.id}/comment", data={"field_path": "members[1].schooling",
                                                           "text": "Hỏi lại việc đi học."}).status_code == 302
    text = page(client.get(f"/review/{form.id}"))
    history = text[text.index('id="history"'):]
    # The member's name isolated from the answer's label after it.
    assert "Về câu trả lời: <bdi>Thành viên 2: Vợ Hoàng Văn Một</bdi> · Tình trạng đi học" in history
    assert "members[1].schooling" not in history


def test_the_about_list_is_grouped_and_offers_only_answered_fields(client, login, supervisor, submit):
    form = submit(members=[person(1, name="Hoàng Văn Một"), person(2, name="Vợ Một"), person(3, name="Con Một")])
    login(supervisor)
    text = page(client.get(f"/review/{form.id}"))
    select = text[text.index('<select aria-invalid="false" id="field_path"'):]
    select = select[:select.index("</select>")]
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert "Thông tin chung" in groups and "Thành viên 1: Hoàng Văn Một" in groups and "Thành viên 3: Con Một" in groups
    assert 'value="members[0].id_number"' not in select  # not answered: not offered
    assert 'value="members[0].employment"' in select
    assert "›" not in select
    assert len(re.findall(r"<option ", select)) < 89


def test_messages_name_states_and_roles_not_their_codes(session, make_user):
    from server.accounts.operations import create_user

    with pytest.raises(Problem) as refused:
        create_user(make_user("admin", "20"), username="x-role", full_name="X", role="enumerator", unit_code="20",
                    password="a-long-enough-password")
    body = refused.value.to_dict()
    assert "vai trò enumerator" not in body["message"]["vi"].lower()
    assert "rà soát viên thôn" in body["message"]["vi"] and "enumerator (village cadre)" in body["message"]["en"]
    assert all("enumerator " not in f["message"]["vi"] for f in body["fields"])


def test_a_far_gps_point_is_written_in_kilometres(app, session):
    from server.review.views import _distance

    with app.test_request_context("/"):
        assert _distance(1_221_701) == "1.221,7 km"
        assert _distance(3000) == "3,0 km"
        assert _distance(850.4) == "850 m"


# --- 19. Forms received, and the resident households -----------------------------------------------------------

def test_the_queue_counts_forms_and_shows_surveyed_over_resident(client, login, supervisor, submit, make_user):
    submit(**head("Hoàng Văn Một"))
    submit(**head("Nông Văn Hai"))
    login(supervisor)
    text = page(client.get("/review"))
    assert "Phiếu hộ đã nhận: 2" in text and "Hộ của xã" not in text
    # The test villages of Xã Lộc Bình have 100 and 80 resident households (2025).
    assert "Hộ đã rà soát / hộ dân cư: 2 / 180" in text


def test_an_interview_date_is_read_in_vietnams_calendar():
    from server.core.db import LOCAL_ZONE
    from server.review.flags import quality_flags

    class Row:
        def __init__(self, id, at, review_type="periodic"):
            self.id, self.interview_started_at, self.review_type = id, at, review_type
            self.interview_ended_at = at + timedelta(hours=1)
            self.review_year, self.commune_code, self.village_code = 2025, "06529", "V1"
            self.head_id_number = self.head_name_key = self.head_birth_year = self.household_code = None
            self.gps_lat = self.gps_lon = None
            self.poverty_class = "poor"

    limits = {"min_interview_minutes": 15, "gps_outlier_m": 3000, "gps_min_neighbours": 3}
    rows = [Row(1, datetime(2025, 8, 31, 18, 0, tzinfo=timezone.utc)),   # 01/09 01:00 in Vietnam: inside
            Row(2, datetime(2025, 8, 31, 15, 0, tzinfo=timezone.utc)),   # 31/08 22:00 in Vietnam: before
            Row(3, datetime(2025, 12, 15, 3, 0, tzinfo=timezone.utc)),   # 15/12: after the periodic window
            Row(4, datetime(2025, 3, 10, 3, 0, tzinfo=timezone.utc), review_type="regular"),  # a regular review
            Row(5, datetime(2026, 2, 10, 3, 0, tzinfo=timezone.utc), review_type="regular")]  # past the margin
    flags = quality_flags(rows, local_zone=LOCAL_ZONE, **limits)
    assert sorted(i for i, items in flags.items() if any(f.code == "interview_date" for f in items)) == [2, 3, 5]
    assert flags[2][0].detail == {"day": "2025-08-31", "start": "2025-09-01", "end": "2025-12-14", "year": 2025}
