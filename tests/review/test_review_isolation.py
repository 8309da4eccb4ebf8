"""Text people typed that holds a right-to-left override (U+202E) reverses only itself on the review pages.

Records, comments, names of users and village names stored before the server refused such characters can hold
one; each page shows it inside an isolate, so the page's own words after it read as they should.
"""

from __future__ import annotations

import html
import re

import pytest

from bidi_text import RLO, hostile, overrides_running_on, overrides_shown
from poverty_records import person
from server.places.models import Unit

VILLAGE, COMMUNE = "T-06529-01", "06529"
HEAD, CODE = hostile("Hoàng Văn Một"), hostile("LN-2202")


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def before_the_refusal(monkeypatch):
    """The record contract as it was before it refused bidirectional controls, so a record can hold one."""
    from server.poverty import fastcheck, fields

    old = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
    monkeypatch.setattr(fields, "CONTROL_RE", old)
    monkeypatch.setattr(fastcheck, "CONTROL_RE", old)


@pytest.fixture
def hostile_form(session, make_user, submit, login, client, before_the_refusal):
    """A household of a village and an enumerator whose names, like its head's name and code, end in an override;
    commented on and returned, so that the history shows the comments and the names of who wrote them."""
    session.get(Unit, VILLAGE).name = hostile("Thôn Thử Nghiệm Một")
    session.commit()
    enumerator = make_user("enumerator", VILLAGE, username="enum-rlo", full_name=hostile("Lương Văn Hai"))
    supervisor = make_user("supervisor", COMMUNE, username="sup-rlo", full_name=hostile("Nông Thị Kiểm"))
    members = [person(1, name=HEAD), person(2, name=hostile("Vợ Một"))]
    form = submit(user=enumerator, household_code=CODE, members=members)
    login(supervisor)
    assert client.post(f"/review/{form.id}/comment", data={"field_path": "members[1].name",
                                                           "text": hostile("Hỏi lại tên")}).status_code == 302
    assert client.post(f"/review/{form.id}/act", data={"action": "return", "revision": form.revision,
                                                       "comment": hostile("Sai tên")}).status_code == 302
    return form


def test_the_household_page_isolates_the_code_the_names_and_the_comments(client, hostile_form):
    text = page(client.get(f"/review/{hostile_form.id}"))
    assert overrides_shown(text) >= 6  # head, code, village, enumerator, supervisor, comments
    header = text[text.index("<h1>"):text.index("</p>", text.index('class="meta"'))]
    # The header's line: "Phiếu số 1 · <village> · mã hộ <code> · phiên bản 1 …", each value isolated.
    assert f"<bdi>{CODE}</bdi>" in header and f"<bdi>{hostile('Thôn Thử Nghiệm Một')}</bdi>" in header
    assert f"<bdi>{hostile('Lương Văn Hai')}</bdi>" in header
    assert overrides_running_on(text) == []


def test_the_queue_isolates_the_head_before_the_forms_number(client, hostile_form):
    text = page(client.get("/review"))
    assert f"<strong><bdi>{HEAD}</bdi></strong></a> <span class=\"muted\">#{hostile_form.id}</span>" in text
    assert overrides_shown(text) >= 4  # the title's village name is none: the commune's is not hostile
    assert overrides_running_on(text) == []


def test_the_village_pages_isolate_the_village_name(client, hostile_form):
    for url in ("/review/meeting", f"/places/{COMMUNE}", f"/places/{VILLAGE}"):
        text = page(client.get(url))
        assert RLO in text, url
        assert overrides_running_on(text) == [], url


def test_the_check_finds_an_override_that_runs_on():
    assert overrides_running_on(f"<p>Mã hộ {CODE} · phiên bản 1</p>") == [f"Mã hộ {CODE} · phiên bản 1"]
    assert overrides_running_on(f"<p>Mã hộ <bdi>{CODE}</bdi> · phiên bản 1</p><td>{CODE}</td>") == []
    assert overrides_running_on(f"<title>\u2068{HEAD}\u2069 · RaSoat</title>") == []
