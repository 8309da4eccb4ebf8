"""The supervisor's pages: queue, household page, steps, comments, village meeting, commune decision, photos."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re

import pytest

from poverty_records import person
from server.core.db import local_today


def today() -> str:
    """Today in Vietnam, read when used (a meeting or a decision cannot be dated before the approval, today): a run
    may cross midnight there (17:00 UTC)."""
    return local_today().isoformat()


POOR = {"income": {"method": "points", "b1_points": 100}, "water_source": "surface", "toilet": "none",
        "internet_use": False}  # deficits 9, 10, 11 with B1 ≤ 140: poor
SHORT = {"interview": {"started_at": "2025-10-05T08:30:00+07:00", "ended_at": "2025-10-05T08:35:00+07:00",
                       "enumerator": "u1"}}


def head(name: str, **fields) -> dict:
    """The members of a household whose head has this name (distinct names: not flagged as duplicates)."""
    return {"members": [person(1, name=name, **fields), person(2, name=f"Vợ {name}")]}


def page(response) -> str:
    """A page's text with HTML entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def queue_names(text: str) -> list[str]:
    """The head names listed in the queue's table, in order."""
    return re.findall(r'<a href="/review/\d+"><strong><bdi>([^<]*)</bdi></strong>', text)


@pytest.fixture
def village2_enumerator(make_user):
    """An enumerator of the commune's other village."""
    return make_user("enumerator", "T-06529-02", username="enum-2", full_name="Lương Văn Hai")


def test_queue_shows_only_the_supervisors_commune(client, login, supervisor, submit, make_user):
    submit(**head("Hoàng Văn Một"))
    outside = make_user("enumerator", "T-05977-01", username="enum-out")
    submit(user=outside, commune_code="05977", village_code="T-05977-01", **head("Lý Thị Ngoài"))
    login(supervisor)
    text = page(client.get("/review"))
    assert queue_names(text) == ["Hoàng Văn Một"]
    assert "Lý Thị Ngoài" not in text
    assert "Lộc Bình" in text and "Phiếu hộ đã nhận: 1" in text


def test_supervisor_home_is_the_queue_and_the_menu_links_it(client, login, supervisor):
    login(supervisor)
    response = client.get("/")
    assert response.headers["Location"].endswith("/review")
    assert 'href="/review">Duyệt phiếu</a>' in page(client.get("/review"))


def test_filters_and_counts(client, login, supervisor, submit, village2_enumerator):
    one = submit(**head("Hoàng Văn Một", id_number="001090000001"))
    two = submit(user=village2_enumerator, village_code="T-06529-02",
                 **head("Nông Văn Hai", id_number="001090000001"))
    submit(**SHORT, **head("Lục Thị Ba"))
    submit(**POOR, **head("Vi Văn Bốn"))
    login(supervisor)

    text = page(client.get("/review"))
    assert sorted(queue_names(text)) == sorted(["Hoàng Văn Một", "Nông Văn Hai", "Lục Thị Ba", "Vi Văn Bốn"])
    assert "Có thể trùng hộ: 2" in text and "Phỏng vấn quá ngắn: 1" in text
    assert "Hộ nghèo: 1" in text and "Không nghèo: 3" in text and "Đã gửi: 4" in text
    # Names in a choice are isolated (FSI … PDI) from the count after them.
    assert ">\u2068Thôn Thử Nghiệm Hai\u2069 (1)</option>" in text and ">\u2068Lương Văn Hai\u2069 (1)</option>" in text
    assert 'title="Phỏng vấn 5 phút (cần ít nhất 15 phút).' in text

    by_flag = page(client.get("/review?flag=possible_duplicate"))
    assert sorted(queue_names(by_flag)) == ["Hoàng Văn Một", "Nông Văn Hai"]
    assert "Có thể trùng hộ: 2" in by_flag  # the counts are the commune's, whatever the filters
    assert queue_names(page(client.get("/review?flag=short_interview"))) == ["Lục Thị Ba"]
    assert queue_names(page(client.get("/review?class=poor"))) == ["Vi Văn Bốn"]
    assert queue_names(page(client.get("/review?village=T-06529-02"))) == ["Nông Văn Hai"]
    assert queue_names(page(client.get(f"/review?enumerator={village2_enumerator.id}"))) == ["Nông Văn Hai"]
    assert queue_names(page(client.get("/review?state=approved"))) == []
    assert len(queue_names(page(client.get("/review?state=nonsense")))) == 4  # an unknown value is ignored

    household = page(client.get(f"/review/{one.id}"))
    assert "Trùng chủ hộ (số CCCD, hoặc họ tên và năm sinh) với phiếu #" in household
    assert f'<a href="/review/{two.id}">Mở phiếu #{two.id}</a>' in household


def test_queue_pages_by_fifty(client, login, supervisor, submit, monkeypatch):
    from server.review import queue

    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    for name in ("An", "Bình", "Cường"):
        submit(**head(f"Hoàng Văn {name}"))
    login(supervisor)
    first, second = page(client.get("/review")), page(client.get("/review?page=2"))
    assert queue_names(first) == ["Hoàng Văn An", "Hoàng Văn Bình"] and "Trang 1/2" in first
    assert queue_names(second) == ["Hoàng Văn Cường"]


def test_household_page_in_vietnamese(client, login, supervisor, submit):
    form = submit(area="urban", **POOR, **head("Vi Văn Bốn", id_number="001090000004"))
    login(supervisor)
    text = page(client.get(f"/review/{form.id}"))
    assert "<h1>Vi Văn Bốn</h1>" in text and "Thôn Thử Nghiệm Một" in text and "Đã gửi" in text
    assert "Thông tin chung" in text and "Quan hệ với chủ hộ" in text and "Chủ hộ" in text  # display's labels
    assert "Phân loại: Hộ nghèo" in text and "Chuẩn nghèo đa chiều giai đoạn 2022-2025" in text
    assert "9. Nguồn nước sinh hoạt" in text and "10. Nhà tiêu hợp vệ sinh" in text
    assert "Điểm B1 (thu nhập)" in text and "<dd>100</dd>" in text and "<dd>30</dd>" in text
    assert "Hồ sơ ghi khu vực thành thị, khác với loại đơn vị của mã xã" in text  # the engine's note
    assert "Gửi phiếu" in text  # the history's first step
    assert 'name="action" value="approve"' in text and 'name="action" value="return"' in text
    assert '<option value="members[0].employment">' in text


def test_interview_times_are_in_vietnams_time_like_the_rest_of_the_page(client, login, supervisor, submit):
    # A phone whose clock is set to UTC writes 01:30+00:00 for 08:30 in Vietnam.
    form = submit(interview={"enumerator": "u1", "started_at": "2025-10-05T01:30:00+00:00",
                             "ended_at": "2025-10-05T02:15:00Z"}, **head("Vi Văn Bốn"))
    login(supervisor)
    text = page(client.get(f"/review/{form.id}"))
    assert "<dd>05/10/2025 08:30" in text and "<dd>05/10/2025 09:15" in text
    assert "<dd>05/10/2025 01:30" not in text


def test_household_page_in_english(client, login, supervisor, submit):
    form = submit(**POOR, **head("Vi Văn Bốn"))
    login(supervisor)
    client.post("/lang/en", data={"next": "/"})
    text = page(client.get(f"/review/{form.id}"))
    assert "Classification: Poor" in text and "9. Domestic water source" in text and "General information" in text


def test_return_correct_and_see_the_difference(client, login, supervisor, enumerator, post, household, form_of,
                                               events):
    record = household(**head("Hoàng Văn Một"))
    assert post(record, enumerator).status_code == 201
    form = form_of(record)
    login(supervisor)
    response = client.post(f"/review/{form.id}/act", data={"action": "return", "revision": form.revision,
                                                          "comment": "Nguồn nước ghi sai."})
    assert response.status_code == 302
    assert form_of(record).state == "returned"
    assert [e.detail["to_state"] for e in events("review.return")] == ["returned"]

    corrected = household(supersedes=record["id"], water_source="rainwater", **head("Hoàng Văn Một"))
    assert post(corrected, enumerator).status_code == 201
    text = page(client.get(f"/review/{form.id}"))
    assert "Đã gửi lại" in text and "phiên bản 2" in text
    diff = text[text.index('id="versions"'):]
    assert "Bản 2: thay đổi so với bản 1" in diff
    assert re.search(r"<td>Nguồn nước sinh hoạt[^<]*</td><td[^>]*>Nước máy[^<]*</td><td[^>]*>Nước mưa", diff)
    assert "Nguồn nước ghi sai." in text  # the return's reason in the history


def test_approve_and_a_stale_page_is_refused(client, login, supervisor, submit, form_of, events):
    form = submit(**head("Hoàng Văn Một"))
    seen = form.revision
    login(supervisor)
    assert client.post(f"/review/{form.id}/act", data={"action": "approve", "revision": seen}).status_code == 302
    assert client.get(f"/review/{form.id}").status_code == 200

    # A second tab still shows the old revision: the step is refused on the page, not on an error page.
    response = client.post(f"/review/{form.id}/act", data={"action": "return", "revision": seen,
                                                          "comment": "Sai"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/review/{form.id}#steps")
    text = page(client.get(response.headers["Location"]))
    assert "Phiếu đã được người khác cập nhật trong lúc bạn xem" in text and 'class="flash error"' in text
    assert "<h1>Hoàng Văn Một</h1>" in text and "error-page" not in text
    assert [e.action for e in events("review.approve")] == ["review.approve"]
    assert not events("review.return")


def test_return_needs_a_reason(client, login, supervisor, submit):
    form = submit(**head("Hoàng Văn Một"))
    login(supervisor)
    response = client.post(f"/review/{form.id}/act", data={"action": "return", "revision": form.revision})
    assert response.status_code == 303
    text = page(client.get(response.headers["Location"]))
    assert re.search(r'<textarea aria-invalid="true" id="comment"[^>]*name="comment">\s*</textarea>\s*'
                     r'<ul class="errors"><li>Cần ghi lý do.</li></ul>', text)


@pytest.mark.parametrize("step", ["return", "approve"])
def test_a_control_character_in_a_steps_note_is_said_at_the_field(client, login, supervisor, submit, form_of, step):
    form = submit(**head("Hoàng Văn Một"))
    login(supervisor)
    response = client.post(f"/review/{form.id}/act", data={"action": step, "revision": form.revision,
                                                          "comment": "Nguồn nước\x00 ghi sai."})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/review/{form.id}#steps")
    text = page(client.get(response.headers["Location"]))
    # The household's page, the note as typed (the character shown as �) and the message under it.
    assert re.search(r'<textarea aria-invalid="true" id="comment"[^>]*name="comment">\s*Nguồn nước\ufffd ghi sai.'
                     r'</textarea>\s*<ul class="errors"><li>Có ký tự điều khiển \(không in được\) trong chữ; hãy gõ lại.'
                     r'</li></ul>', text)
    assert form_of({"id": form.first_id}).state == "submitted"


def test_a_control_character_in_a_comment_is_said_at_the_field(client, login, supervisor, submit):
    form = submit(**head("Hoàng Văn Một"))
    login(supervisor)
    response = client.post(f"/review/{form.id}/comment", data={"field_path": "", "text": "Hỏi lại\x1b"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#comment-form")
    text = page(client.get(response.headers["Location"]))
    assert re.search(r'name="text"[^>]*>\s*Hỏi lại\ufffd</textarea>\s*<ul class="errors"><li>Có ký tự điều khiển', text)
    assert 'class="field-comment"' not in text


def test_a_comment_on_a_field_reaches_the_phone(client, login, supervisor, enumerator, submit, bearer):
    form = submit(**head("Hoàng Văn Một"))
    login(supervisor)
    response = client.post(f"/review/{form.id}/comment",
                           data={"field_path": "members[0].employment", "text": "Hỏi lại việc làm của chủ hộ."})
    assert response.status_code == 302
    text = page(client.get(f"/review/{form.id}"))
    assert 'class="field-comment"' in text and "Hỏi lại việc làm của chủ hộ." in text

    items = client.get("/api/v1/submissions", headers=bearer(enumerator)).get_json()["items"]
    comments = [c for item in items for c in item["comments"]]
    assert [(c["field"], c["text"]) for c in comments] == [("members[0].employment", "Hỏi lại việc làm của chủ hộ.")]


def test_an_empty_comment_is_refused(client, login, supervisor, submit):
    form = submit(**head("Hoàng Văn Một"))
    login(supervisor)
    response = client.post(f"/review/{form.id}/comment", data={"field_path": "", "text": "  "})
    assert response.status_code == 303 and response.headers["Location"].endswith("#comment-form")
    text = page(client.get(response.headers["Location"]))
    assert re.search(r'name="text"[^>]*>\s*</textarea>\s*<ul class="errors"><li>Trường này bắt buộc.</li></ul>', text)


def _approved(client, submit, names, **fields):
    forms = [submit(**head(name), **fields) for name in names]
    for form in forms:
        assert client.post(f"/review/{form.id}/act", data={"action": "approve", "revision": form.revision}
                           ).status_code == 302
    return forms


def test_village_meeting_agrees_with_half_and_sends_back_below(client, login, supervisor, submit, form_of,
                                                                session):
    login(supervisor)
    one, two, three = _approved(client, submit, ["Hoàng Văn Một", "Nông Văn Hai", "Lục Thị Ba"])
    picker = page(client.get("/review/meeting"))
    assert "3 hộ đã duyệt đang chờ" in picker
    listing = page(client.get("/review/meeting?village=T-06529-01"))
    assert all(n in listing for n in ("Hoàng Văn Một", "Nông Văn Hai", "Lục Thị Ba"))

    revisions = {f.id: form_of({"id": f.first_id}).revision for f in (one, two, three)}
    data = {"held_on": today(), "attendees": "10", "minutes_ref": "BB-01", "note": "", "all_in_favour": "y",
            "include": [one.id, two.id, three.id], f"votes-{one.id}": "5", f"votes-{two.id}": "4",
            f"votes-{three.id}": ""}  # empty, and "all in favour" marked: every attendee in favour
    data.update({f"revision-{i}": r for i, r in revisions.items()})
    response = client.post("/review/meeting?village=T-06529-01", data=data, follow_redirects=True)
    assert "2 hộ được thống nhất, 1 hộ phải rà soát lại" in page(response)
    assert [form_of({"id": f.first_id}).state for f in (one, two, three)] == ["agreed", "resurvey", "agreed"]
    history = page(client.get(f"/review/{two.id}"))
    assert "Họp dân: 4/10 người đồng ý" in history


def test_village_meeting_refuses_votes_above_attendees_on_the_page(client, login, supervisor, submit, form_of):
    login(supervisor)
    (one,) = _approved(client, submit, ["Hoàng Văn Một"])
    data = {"held_on": today(), "attendees": "10", "include": [one.id], f"votes-{one.id}": "11",
            f"revision-{one.id}": form_of({"id": one.first_id}).revision}
    response = client.post("/review/meeting?village=T-06529-01", data=data)
    assert response.status_code == 422
    assert "Số người đồng ý phải từ 0 đến 10." in page(response)
    assert form_of({"id": one.first_id}).state == "approved"


def test_meeting_form_checks_its_fields(client, login, supervisor, submit):
    login(supervisor)
    _approved(client, submit, ["Hoàng Văn Một"])
    response = client.post("/review/meeting?village=T-06529-01", data={"held_on": "x", "attendees": "0"})
    text = page(response)
    assert response.status_code == 422 and "Hãy nhập một ngày." in text and "Ít nhất là 1." in text


def test_commune_decision_recognises_agreed_households(client, login, supervisor, submit, form_of):
    login(supervisor)
    one, two = _approved(client, submit, ["Hoàng Văn Một", "Nông Văn Hai"])
    data = {"held_on": today(), "attendees": "10", "include": [one.id, two.id], "all_in_favour": "y"}
    data.update({f"revision-{f.id}": form_of({"id": f.first_id}).revision for f in (one, two)})
    assert client.post("/review/meeting?village=T-06529-01", data=data).status_code == 302

    listing = page(client.get("/review/decision"))
    assert "Hoàng Văn Một" in listing and "Nông Văn Hai" in listing
    # Nothing is ticked for the supervisor: the decision lists the households its text names.
    assert re.findall(r'name="include" value="\d+" id="include-\d+" checked', listing) == []
    data = {"number": "15/QĐ-UBND", "signed_on": today(), "include": [one.id]}
    data.update({f"revision-{f.id}": form_of({"id": f.first_id}).revision for f in (one, two)})
    response = client.post("/review/decision", data=data, follow_redirects=True)
    assert "Đã ghi quyết định <bdi>15/QĐ-UBND</bdi>: 1 hộ được công nhận." in page(response)
    assert form_of({"id": one.first_id}).state == "recognised"
    assert form_of({"id": two.first_id}).state == "agreed"
    assert "Quyết định số <bdi>15/QĐ-UBND</bdi>" in page(client.get(f"/review/{one.id}"))


def test_decision_without_households_is_refused_on_the_page(client, login, supervisor):
    login(supervisor)
    response = client.post("/review/decision", data={"number": "1/QĐ", "signed_on": "2025-11-02"})
    assert response.status_code == 422 and "Chọn ít nhất một hộ đã được họp dân thống nhất." in page(response)


def test_officer_reads_but_does_not_act(client, login, make_user, submit):
    form = submit(**head("Hoàng Văn Một"))
    login(make_user("officer", "20"))
    picker = page(client.get("/review"))
    assert 'href="/review?commune=06529"' in picker
    assert queue_names(page(client.get("/review?commune=06529"))) == ["Hoàng Văn Một"]
    assert client.get("/review?commune=01273").status_code == 403  # a commune of another province
    text = page(client.get(f"/review/{form.id}"))
    assert "<h1>Hoàng Văn Một</h1>" in text
    assert "/act" not in text and "/comment" not in text and "Ghi họp dân" not in text
    assert client.post(f"/review/{form.id}/act", data={"action": "approve", "revision": 1}).status_code == 403
    assert client.post(f"/review/{form.id}/comment", data={"text": "x"}).status_code == 403
    assert client.get("/review/meeting").status_code == 403


def test_enumerator_and_admin_have_no_access(client, login, enumerator, make_user, submit):
    form = submit(**head("Hoàng Văn Một"))
    for user in (enumerator, make_user("admin", "20")):
        login(user)
        assert client.get("/review").status_code == 403
        assert client.get(f"/review/{form.id}").status_code == 403


def test_a_supervisor_of_another_commune_does_not_see_the_household(client, login, make_user, submit):
    form = submit(**head("Hoàng Văn Một"))
    login(make_user("supervisor", "05977"))
    assert client.get(f"/review/{form.id}").status_code == 404
    assert client.post(f"/review/{form.id}/act", data={"action": "approve", "revision": 1}).status_code == 404
    assert queue_names(page(client.get("/review"))) == []


def test_photo_view_is_audited(client, login, supervisor, enumerator, household, bearer, form_of, events):
    photo = b"\xff\xd8\xff\xe0 a tiny jpeg"
    record = household(attachments=[{"name": "nha.jpg", "content_type": "image/jpeg",
                                     "sha256": hashlib.sha256(photo).hexdigest()}], **head("Hoàng Văn Một"))
    response = client.post("/api/v1/submissions", headers=bearer(enumerator), content_type="multipart/form-data",
                           data={"record": json.dumps(record), "nha.jpg": (io.BytesIO(photo), "nha.jpg", "image/jpeg")})
    assert response.status_code == 201, response.get_json()
    form = form_of(record)
    login(supervisor)
    assert f'href="/review/{form.id}/attachments/nha.jpg?version=1"' in page(client.get(f"/review/{form.id}"))

    response = client.get(f"/review/{form.id}/attachments/nha.jpg")
    assert response.status_code == 200 and response.data == photo
    assert response.mimetype == "image/jpeg" and "no-store" in response.headers["Cache-Control"]
    viewed = events("submission.attachment_viewed")
    assert [(e.target_id, e.detail["name"], e.actor_id) for e in viewed] == [(str(form.id), "nha.jpg", supervisor.id)]
    assert client.get(f"/review/{form.id}/attachments/other.jpg").status_code == 404


def test_village_record_page_shows_the_labelled_facts(client, login, supervisor, enumerator, post, form_of):
    record = {"kind": "village", "id": "5b2c8e1f-3a4d-4e6f-9b0a-7c8d9e0f1a2b", "form_version": "2025.1",
              "review_year": 2025, "commune_code": "06529", "village_code": "T-06529-01",
              "interview": {"started_at": "2025-10-05T08:30:00+07:00"},
              "facts": {"has_road_to_centre": True, "road_impassable_in_rainy_season": True,
                        "has_national_grid": True, "households_off_grid": 4, "village_roads_hardened_pct": 55.5}}
    assert post(record, enumerator).status_code == 201
    form = form_of(record)
    login(supervisor)
    response = client.get(f"/review/{form.id}")
    assert response.status_code == 200
    text = page(response)
    assert "Thôn Thử Nghiệm Một" in text and "Số liệu của thôn" in text
    assert re.search(r"<dt>Loại phiếu</dt>\s*<dd>Phiếu thôn\s", text)
    assert "Có đường ô tô đến trung tâm xã" in text and "Mùa mưa đi lại rất khó khăn" in text
    assert "Số hộ chưa dùng điện lưới quốc gia" in text and "Tỷ lệ đường thôn được cứng hóa (%)" in text
    assert re.search(r"<dt>Số hộ chưa dùng điện lưới quốc gia</dt>\s*<dd>4\s", text)
    assert re.search(r"<dt>Tỷ lệ đường thôn được cứng hóa \(%\)</dt>\s*<dd>55,5%\s", text)
    assert "facts." not in re.sub(r'value="[^"]*"', "", text)  # no key shown unlabelled

    comment = client.post(f"/review/{form.id}/comment",
                          data={"field_path": "facts.households_off_grid", "text": "Đếm lại số hộ."})
    assert comment.status_code == 302
    history = page(client.get(f"/review/{form.id}"))
    assert "Về câu trả lời: Số hộ chưa dùng điện lưới quốc gia" in history  # the history labels a fact too


def test_a_stopped_household_without_phieu_b_has_its_page_saying_so(client, login, supervisor, post, enumerator,
                                                                      household, form_of):
    record = household(quick_screen={"items": ["a1_car"], "stopped": True})
    for key in ("income", "housing", "water_source", "toilet", "internet_use", "info_devices"):
        del record[key]
    for member in record["members"]:
        for key in ("health_insurance", "schooling", "highest_diploma", "employment", "disability"):
            del member[key]
    assert post(record, enumerator).status_code == 201
    login(supervisor)
    response = client.get(f"/review/{form_of(record).id}")
    assert response.status_code == 200
    text = page(response)
    assert "Phiếu A (nhận dạng nhanh) đã dừng khảo sát." in text and "Không nghèo" in text
    assert text.count("Không hỏi (hộ dừng ở Phiếu A)") >= 6 + 2 * 5  # the household's and each member's Phiếu B
    assert "Thành viên 1" in text and "Tày" in text  # the roster is shown
    assert ">null<" not in text
    # a comment is offered on the answers given, not on the questions not asked
    choices = re.findall(r'<option value="([^"]*)"', text)
    assert "members[0].name" in choices and "housing.floor_area_m2" not in choices and "toilet" not in choices
