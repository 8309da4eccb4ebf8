"""The form renderer (static/js/lib/form/) in real Chromium at 360×640, mounted by a test page with the household
definition and the 2022-2026 rule set as the API serves them (tests/browser/form_server.py, with the app's CSP).

What an enumerator relies on: one section a page with its progress; questions that appear and disappear with the
answers (and their answers dropped when they go); constraint and required messages in Vietnamese as they type;
the age beside the birth year; the roster (add, move, remove, 50 members); the class and the deficits shown live
and equal to the server's engine; the supervisor's comments at their field; GPS and photos; big targets, the
right keypads, no markup from answers. Screenshots of the main screens go to test-artifacts/.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from form_server import FormServer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
STRINGS = json.loads((ROOT / "static" / "collect" / "strings.json").read_text(encoding="utf-8"))
PHONE = {"width": 360, "height": 640}


def vi(key: str, **params) -> str:
    """A catalogue string in Vietnamese with its parameters filled."""
    text = STRINGS[key]["vi"]
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text


@pytest.fixture(scope="module")
def server():
    """The test page's server."""
    with FormServer() as running:
        yield running


@pytest.fixture(scope="module")
def definition(server):
    """The household definition as served."""
    return server.definition()


@pytest.fixture
def open_form(browser, server):
    """Open the test page with query `query`; return the page (CSP violations and page errors are collected in
    page.problems)."""
    contexts = []

    def do(query: str = "", **context_args):
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, **context_args)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" and "favicon" not in m.text
                and "404" not in m.text else None)
        page.goto(f"{server.url}/harness/harness.html{query}")
        page.wait_for_selector("body[data-ready]")
        return page

    yield do
    for context in contexts:
        context.close()


def section_index(definition, key: str) -> int:
    """The index of a section of the definition."""
    return next(i for i, s in enumerate(definition["sections"]) if s["key"] == key)


def question(definition, key: str) -> dict:
    """A question of the definition by key (inside repeats too)."""
    def walk(questions):
        for q in questions:
            if q["key"] == key:
                return q
            found = walk(q.get("questions", []))
            if found:
                return found
        return None
    for s in definition["sections"]:
        found = walk(s["questions"])
        if found:
            return found
    raise KeyError(key)


def record(page) -> dict:
    """The record as the renderer holds it."""
    return page.evaluate("window.__form.record()")


def member(page, n: int, opened: bool = True):
    """The block of member n (1-based), opened by a tap on its heading unless `opened` is False (the roster is an
    accordion: one member's questions on the page at a time)."""
    block = page.locator(".fr-item").nth(n - 1)
    if opened:
        toggle = block.locator(".fr-toggle")
        if toggle.get_attribute("aria-expanded") != "true":
            tap(toggle)
        expect(toggle).to_have_attribute("aria-expanded", "true")
    return block


def tap(locator) -> None:
    """Tap a control once it has settled on the screen: scrolled into view, then two frames drawn, so member blocks
    that content-visibility lays out only when they come near the screen have taken their real height (a block
    still at its placeholder height moves the controls below it between the press and the release, and a press
    and release on different elements is no click)."""
    locator.scroll_into_view_if_needed()
    locator.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    locator.click()


def choose(scope, key: str, label: str) -> None:
    """Pick a choice of a select_one/boolean question (radios or a drop-down list) by its visible label."""
    field = scope.locator(f"[data-key={key}]")
    if field.locator("select").count():
        field.locator("select").select_option(label=label)
    else:
        field.locator("label.fq-choice", has_text=label).first.click()


def shoot(page, name: str) -> None:
    """Keep a screenshot of the screen under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"collect-form-{name}.png"))


def test_sections_are_pages_with_progress_and_a_summary(open_form, definition):
    """Next and Back move one section at a time; the step and the bar follow; the last step is the summary."""
    page = open_form("?members=2")
    total = len(definition["sections"]) + 1
    expect(page.locator(".fm-step")).to_have_text(vi("form.step", n=1, total=total))
    expect(page.locator(".fm-title")).to_have_text(definition["sections"][0]["title"]["vi"])
    shoot(page, "1-header")
    widths = [page.locator(".fm-bar-fill").evaluate("e => e.getBoundingClientRect().width")]
    page.click(".fm-next")
    expect(page.locator(".fm-step")).to_have_text(vi("form.step", n=2, total=total))
    expect(page.locator(".fm-title")).to_have_text(definition["sections"][1]["title"]["vi"])
    # The bar grows (with a 0.2 s transition, so it is waited for rather than read once).
    page.wait_for_function("w => document.querySelector('.fm-bar-fill').getBoundingClientRect().width > w",
                           arg=widths[0])
    widths.append(page.locator(".fm-bar-fill").evaluate("e => e.getBoundingClientRect().width"))
    page.click(".fm-back")
    expect(page.locator(".fm-title")).to_have_text(definition["sections"][0]["title"]["vi"])
    for _ in range(total - 1):
        page.click(".fm-next")
    expect(page.locator(".fm-title")).to_have_text(vi("form.summary.title"))
    expect(page.locator(".fm-next")).to_be_hidden()
    assert widths[0] < widths[1]
    assert page.problems == []


def test_skip_logic_drops_answers_that_no_longer_apply(open_form, definition):
    """The school level shows only for a member at school; answering "not at school" removes the level from the
    record. Income by actual income hides and drops the B1 total."""
    page = open_form("?members=2")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    second = member(page, 2)
    level = second.locator("[data-key=school_level]")
    expect(level).to_be_hidden()
    choose(second, "schooling", question(definition, "schooling")["choices"][0]["label"]["vi"])  # attending
    expect(level).to_be_visible()
    level_choice = question(definition, "school_level")["choices"][1]
    choose(second, "school_level", level_choice["label"]["vi"])
    assert record(page)["members"][1]["school_level"] == level_choice["value"]
    not_attending = next(c for c in question(definition, "schooling")["choices"] if c["value"] == "not_attending")
    choose(second, "schooling", not_attending["label"]["vi"])
    expect(level).to_be_hidden()
    assert "school_level" not in record(page)["members"][1]

    page.evaluate(f"window.__form.goTo({section_index(definition, 'income')})")
    assert record(page)["income"]["b1_points"] == 120
    actual = next(c for c in question(definition, "income_method")["choices"] if c["value"] == "actual")
    choose(page, "income_method", actual["label"]["vi"])
    expect(page.locator("[data-key=b1_points]")).to_be_hidden()
    expect(page.locator("[data-key=annual_income_vnd]")).to_be_visible()
    assert "b1_points" not in record(page)["income"]
    assert page.problems == []


def test_a_quick_screen_that_stops_ends_the_interview(open_form, definition):
    """Ticking a Phiếu A item that stops the survey shows the stop note, skips the sections of Phiếu B (the progress
    shrinks) and the members' Phiếu B answers leave the record, their identity stays (the roster is still asked);
    unticking it (a slip of the finger) brings the questions back."""
    from form_server import served_json

    rule_set = json.loads(served_json()[1])
    group = next(g for g in rule_set["quick_screen"]["groups"] if g["stop_if_at_least"]["value"] == 1)
    item = next(c for c in question(definition, "quick_screen_items")["choices"] if c["value"] == group["items"][0]["code"])
    page = open_form("?members=2")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'quick_screen')})")
    total = len(definition["sections"]) + 1
    expect(page.locator(".fm-step")).to_have_text(vi("form.step", n=2, total=total))
    page.locator("[data-key=quick_screen_items] label.fq-choice", has_text=item["label"]["vi"]).click()
    expect(page.locator("[data-key=quick_screen_stop_note]")).to_be_visible()
    stopped_total = sum(1 for s in definition["sections"] if "relevant" not in s) + 1
    expect(page.locator(".fm-step")).to_have_text(vi("form.step", n=2, total=stopped_total))
    assert record(page)["quick_screen"] == {"items": [item["value"]], "stopped": True}
    members = record(page)["members"]
    assert len(members) == 2 and all("name" in m and "health_insurance" not in m for m in members)
    shoot(page, "9-quick-screen-stop")
    page.click(".fm-next")
    assert page.inner_text(".fm-title") == definition["sections"][section_index(definition, "members")]["title"]["vi"]
    for n in (1, 2):
        block = member(page, n)
        expect(block.locator("[data-key=name]")).to_be_visible()
        expect(block.locator("[data-key=health_insurance]")).to_be_hidden()
    page.evaluate(f"window.__form.goTo({section_index(definition, 'quick_screen')})")
    page.locator("[data-key=quick_screen_items] label.fq-choice", has_text=item["label"]["vi"]).click()
    assert len(record(page)["members"]) == 2
    expect(page.locator(".fm-step")).to_have_text(vi("form.step", n=2, total=total))


def test_constraint_and_required_messages_in_vietnamese_as_one_types(open_form, definition):
    """A CCCD of the wrong length shows the definition's message at once, and it goes when the number is right; an
    emptied required name says it is required; a second head breaks the relation constraint."""
    page = open_form("?members=2")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    second = member(page, 2)
    cccd = second.locator("[data-key=id_number]")
    cccd.locator("input").press_sequentially("0123")
    message = question(definition, "id_number")["constraint_message"]["vi"]
    expect(cccd.locator(".fq-msg")).to_have_text(message)
    shoot(page, "3-constraint")
    cccd.locator("input").press_sequentially("45678901")
    expect(cccd.locator(".fq-msg")).to_be_hidden()
    assert record(page)["members"][1]["id_number"] == "012345678901"

    name = second.locator("[data-key=name]")
    name.locator("input").fill("")
    expect(name.locator(".fq-msg")).to_have_text(vi("form.required"))
    assert "name" not in record(page)["members"][1]

    relation = question(definition, "relation")
    head = next(c for c in relation["choices"] if c["value"] == "head")
    choose(second, "relation", head["label"]["vi"])
    expect(second.locator("[data-key=relation] .fq-msg")).to_have_text(relation["constraint_message"]["vi"])
    problems = page.evaluate("window.__form.validate()")
    assert {"path": "members[1].name", "message": vi("form.required")} in problems
    assert {"path": "members[1].relation", "message": relation["constraint_message"]["vi"]} in problems
    assert page.problems == []


def test_age_shows_beside_the_birth_year_and_children_get_their_questions(open_form, definition):
    """Typing a birth year shows the age at the interview date; a child under 16 gets the malnutrition question,
    an adult does not."""
    page = open_form("?members=2")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    second = member(page, 2)
    started = record(page)["interview"]["started_at"][:10]
    year = second.locator("[data-key=birth_year] input")
    year.fill("")
    year.press_sequentially("2015")
    expected = int(started[:4]) - 2015 - (started[5:] < "07-01")
    expect(second.locator("[data-key=age] output")).to_have_text(str(expected))
    assert expected < 16
    expect(second.locator("[data-key=malnutrition]")).to_be_visible()
    year.fill("1990")
    expect(second.locator("[data-key=age] output")).to_have_text(str(int(started[:4]) - 1990 - (started[5:] < "07-01")))
    expect(second.locator("[data-key=malnutrition]")).to_be_hidden()
    assert record(page)["members"][1]["birth_year"] == 1990


def test_keypads_and_input_types_fit_each_question(open_form, definition):
    """Numbers get a numeric keypad, decimals a decimal one, dates a date picker, the CCCD digits."""
    page = open_form("?members=1")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    first = member(page, 1)
    assert first.locator("[data-key=birth_year] input").get_attribute("inputmode") == "numeric"
    assert first.locator("[data-key=birth_date] input").get_attribute("type") == "date"
    assert first.locator("[data-key=id_number] input").get_attribute("inputmode") == "numeric"
    page.evaluate(f"window.__form.goTo({section_index(definition, 'living')})")
    area = page.locator("[data-key=floor_area_m2] input")
    assert area.get_attribute("inputmode") == "decimal"
    area.fill("")
    area.press_sequentially("12,5")  # the Vietnamese decimal comma
    assert record(page)["housing"]["floor_area_m2"] == 12.5
    area.fill("12,5a")
    expect(page.locator("[data-key=floor_area_m2] .fq-msg")).to_have_text(vi("form.not_decimal"))


def test_live_class_and_deficits_equal_the_server_engine(open_form, definition):
    """The panel shows the class and deficits of classify.js, which equal server.poverty.classify on the same
    record; an answer that adds a deficit changes the panel as it is typed."""
    from server.poverty import classify, validate_record

    page = open_form("?members=3")

    def both():
        live = page.evaluate("window.__form.classification()")
        server = classify(validate_record(record(page)))
        return live, server

    live, server = both()
    assert (live["class"], live["deficits"]) == (server["class"], server["deficits"])
    expect(page.locator(".fl-class")).to_have_text(vi(f"form.class.{server['class']}"))
    page.evaluate(f"window.__form.goTo({section_index(definition, 'living')})")
    area = page.locator("[data-key=floor_area_m2] input")
    area.fill("")
    area.press_sequentially("9")
    live2, server2 = both()
    assert (live2["class"], live2["deficits"]) == (server2["class"], server2["deficits"])
    assert live2["deficits"] != live["deficits"]
    shown = ", ".join(str(n) for n in server2["deficits"])
    expect(page.locator(".fl-deficits")).to_have_text(vi("form.live.deficits", n=len(server2["deficits"]), list=shown))
    page.click(".fl-summary")
    shoot(page, "6-live-panel")
    assert page.problems == []


def test_roster_add_move_and_remove_members(open_form, definition):
    """A member added gets the next line; moving one up swaps the record's order and the lines; removing asks
    first, inside the block, and takes the member's answers out."""
    page = open_form("?members=2")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    tap(page.locator(".fr-add"))
    expect(page.locator(".fr-item")).to_have_count(3)
    third = member(page, 3)
    third.locator("[data-key=name] input").press_sequentially("Lò Thị Mới")
    expect(third.locator(".fr-title")).to_have_text(re.compile(re.escape("Lò Thị Mới") + "$"))
    assert record(page)["members"][2] == {"line": 3, "name": "Lò Thị Mới"}
    shoot(page, "2-roster")
    tap(third.locator(".fr-up"))
    expect(member(page, 2).locator(".fr-title")).to_have_text(re.compile("Lò Thị Mới$"))
    members = record(page)["members"]
    assert [m["name"] for m in members] == ["Thành viên Thử 1", "Lò Thị Mới", "Thành viên Thử 2"]
    assert [m["line"] for m in members] == [1, 2, 3]
    tap(member(page, 1).locator(".fr-remove"))
    expect(member(page, 1).locator(".fr-confirm")).to_be_visible()
    assert len(record(page)["members"]) == 3
    tap(member(page, 1).locator(".fr-no"))
    expect(member(page, 1).locator(".fr-confirm")).to_be_hidden()
    assert len(record(page)["members"]) == 3
    tap(member(page, 3).locator(".fr-remove"))
    tap(member(page, 3).locator(".fr-yes"))
    expect(page.locator(".fr-item")).to_have_count(2)
    assert [m["name"] for m in record(page)["members"]] == ["Thành viên Thử 1", "Lò Thị Mới"]
    assert page.problems == []


def test_fifty_members_is_the_limit(open_form, definition):
    """With 50 members (the definition's max_count) the add button is off and every member has its heading on the
    page, named; only the member opened has its questions there (an accordion: opening one closes the other)."""
    limit = question(definition, "members")["max_count"]
    page = open_form(f"?members={limit}")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    assert page.locator(".fr-item").count() == limit
    assert page.locator(".fr-add").is_disabled()
    expect(page.locator(".fr-count")).to_have_text(vi("form.repeat.count", n=limit, max=limit))
    expect(member(page, limit, opened=False).locator(".fr-title")).to_have_text(re.compile(f"Thành viên Thử {limit}$"))
    assert page.locator(".fr-body").count() == 0
    last = member(page, limit)
    assert last.locator("[data-key=name] input").input_value() == f"Thành viên Thử {limit}"
    member(page, 1)
    assert page.locator(".fr-body").count() == 1
    expect(last.locator(".fr-toggle")).to_have_attribute("aria-expanded", "false")
    assert page.locator("[data-key=name] input").input_value() == "Thành viên Thử 1"


def test_a_closed_member_shows_what_it_lacks_and_the_summary_opens_it(open_form, definition):
    """Closing a member whose name was cleared leaves its heading saying what is left to answer; the summary's
    problem opens that member at the field, and a name typed shows in the heading once typing pauses."""
    page = open_form("?members=3")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    second = member(page, 2)
    second.locator("[data-key=name] input").fill("")
    member(page, 3)
    status = second.locator(".fr-status")
    expect(status).to_have_text(vi("form.repeat.problems", n=1))
    assert "has-error" in second.get_attribute("class")
    assert member(page, 1, opened=False).locator(".fr-status").is_hidden()
    page.evaluate(f"window.__form.goTo({len(definition['sections'])})")
    problem = page.locator(".fm-problem", has_text=vi("form.repeat.item", n=2))
    expect(problem).to_have_count(1)
    problem.click()
    expect(second.locator(".fr-toggle")).to_have_attribute("aria-expanded", "true")
    name = second.locator("[data-key=name] input")
    expect(name).to_be_focused()
    name.press_sequentially("Lục Văn Sửa")
    expect(second.locator(".fr-title")).to_have_text(vi("form.repeat.item", n=2) + ": Lục Văn Sửa")
    member(page, 1)
    expect(status).to_be_hidden()
    assert record(page)["members"][1]["name"] == "Lục Văn Sửa"
    shoot(page, "3-roster-closed")
    assert page.problems == []


def test_comments_of_a_returned_form_show_at_their_field(open_form, definition):
    """The list at the top names each comment's field; tapping one opens its page at the field, which carries the
    comment; a comment on a member stays with that member when the roster is reordered."""
    page = open_form("?members=3&comments=1")
    items = page.locator(".fm-comment-list li")
    assert items.count() == 3
    assert "Trường báo cháu vẫn đi học" in items.nth(0).inner_text()
    shoot(page, "7-comments")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    expect(member(page, 2, opened=False).locator(".fr-status")).to_have_text(vi("form.repeat.comments", n=1))
    page.evaluate("window.__form.goTo(0)")
    items.nth(0).locator("button").click()
    expect(page.locator(".fm-title")).to_have_text(definition["sections"][section_index(definition, "members")]["title"]["vi"])
    field = member(page, 2).locator("[data-key=schooling]")
    assert "has-comment" in field.get_attribute("class")
    # A member block's text is read once the block is drawn (content-visibility lays it out at the next frame).
    expect(field.locator(".fq-comment")).to_contain_text("Trường báo cháu vẫn đi học")
    assert page.locator(".fq-comment").count() == 1
    tap(member(page, 2).locator(".fr-up"))
    expect(member(page, 1).locator("[data-key=schooling] .fq-comment")).to_have_count(1)
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    expect(member(page, 1).locator("[data-key=schooling] .fq-comment")).to_contain_text("Trường báo cháu")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'living')})")
    expect(page.locator("[data-key=floor_area_m2].has-comment .fq-comment")).to_be_visible()


def test_photo_is_resized_hashed_and_handed_to_the_app(open_form, definition):
    """A 3000×2000 photo becomes a JPEG of at most 1600 px handed to onPhoto, and record.attachments lists its
    name, type and SHA-256."""
    page = open_form("?members=1")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'place')})")
    page.evaluate("""async () => {
      const canvas = document.createElement("canvas");
      canvas.width = 3000; canvas.height = 2000;
      const g = canvas.getContext("2d"); g.fillStyle = "#3a7"; g.fillRect(0, 0, 3000, 2000);
      g.fillStyle = "#a33"; g.fillRect(100, 100, 800, 600);
      const blob = await new Promise((r) => canvas.toBlob(r, "image/png"));
      const data = new DataTransfer();
      data.items.add(new File([blob], "house.png", { type: "image/png" }));
      const input = document.querySelector("[data-key=photos] input[type=file]");
      input.files = data.files;
      input.dispatchEvent(new Event("change"));
    }""")
    page.wait_for_function("() => (window.__form.record().attachments || []).length === 1")
    entry = record(page)["attachments"][0]
    assert entry["content_type"] == "image/jpeg" and entry["name"].endswith(".jpg")
    facts = page.evaluate("""async (name) => {
      const blob = window.__photos[name];
      const bitmap = await createImageBitmap(blob);
      return { type: blob.type, width: bitmap.width, height: bitmap.height,
               bytes: Array.from(new Uint8Array(await blob.arrayBuffer())) };
    }""", entry["name"])
    assert facts["type"] == "image/jpeg"
    assert (facts["width"], facts["height"]) == (1600, 1067)
    assert entry["sha256"] == hashlib.sha256(bytes(facts["bytes"])).hexdigest()
    assert page.locator(".fq-photo-item").count() == 1
    expect(page.locator(".fq-photo-preview")).to_be_visible()
    drawn = page.locator(".fq-photo-preview").evaluate(
        "c => Array.from(c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data)")
    assert drawn[3] == 255  # the thumbnail is drawn (no blob: address, which the CSP may refuse)
    shoot(page, "5-gps-photo")
    page.click(".fq-photo-remove")
    assert "attachments" not in record(page)


def test_gps_position_with_its_accuracy(open_form, definition):
    """The GPS button fills latitude, longitude and accuracy from the phone, shown and kept editable."""
    page = open_form("?members=1", geolocation={"latitude": 21.8537, "longitude": 106.7615, "accuracy": 12},
                     permissions=["geolocation"])
    page.evaluate(f"window.__form.goTo({section_index(definition, 'place')})")
    page.click(".fq-gps-get")
    page.wait_for_function("() => !!(window.__form.record().interview || {}).gps")
    gps = record(page)["interview"]["gps"]
    assert gps == {"lat": 21.8537, "lon": 106.7615, "accuracy_m": 12}
    expect(page.locator(".fq-gps-status")).to_have_text(vi("form.gps.accuracy", m=12))
    lat = page.locator(".fq-gps input").first
    lat.fill("21,85")
    assert record(page)["interview"]["gps"]["lat"] == 21.85


def test_answers_are_text_not_markup_and_nothing_breaks_the_csp(open_form, definition):
    """A name holding markup shows as typed (no element made from it); walking every page gives no CSP violation
    or script error (no inline style or script anywhere)."""
    page = open_form("?members=1")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    evil = '<img src=x onerror="window.__pwned=1">'
    name = member(page, 1).locator("[data-key=name] input")
    name.fill(evil)
    expect(member(page, 1).locator(".fr-title")).to_have_text(re.compile(re.escape(evil) + "$"))
    assert member(page, 1).locator(".fr-title img").count() == 0
    page.evaluate("window.__form.goTo(0)")
    for _ in definition["sections"]:
        page.click(".fm-next")
    assert page.evaluate("window.__pwned") is None
    assert page.problems == []


@pytest.mark.parametrize("char", ["\u202e", "\u0007"])
def test_a_character_the_server_refuses_is_caught_at_the_field(open_form, definition, char):
    """A right-to-left override or a control character pasted into a name is said at the field (the server would
    refuse the record) and stays out of the record; the name typed again is taken."""
    page = open_form("?members=1")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    name = member(page, 1).locator("[data-key=name]")
    name.locator("input").fill(f"Lò{char}Văn Tủa")
    expect(name.locator(".fq-msg")).to_have_text(vi("form.control_character"))
    assert "name" not in record(page)["members"][0]
    name.locator("input").fill("Lò Văn Tủa")
    expect(name.locator(".fq-msg")).to_be_hidden()
    assert record(page)["members"][0]["name"] == "Lò Văn Tủa"


def test_a_bound_in_a_message_is_written_as_people_read_numbers(open_form, definition):
    """The largest income allowed reads 10.000.000.000 (vi) or 10,000,000,000 (en), not 10000000000."""
    income = question(definition, "annual_income_vnd")
    assert income["max"] == 10_000_000_000
    for lang, shown in (("vi", "10.000.000.000"), ("en", "10,000,000,000")):
        page = open_form(f"?members=1&lang={lang}")
        page.evaluate(f"window.__form.goTo({section_index(definition, 'income')})")
        method = next(c for c in question(definition, "income_method")["choices"] if c["value"] == "actual")
        choose(page, "income_method", method["label"][lang])
        field = page.locator("[data-key=annual_income_vnd]")
        field.locator("input").fill("99000000000")
        expect(field.locator(".fq-msg")).to_contain_text(shown)


def test_targets_are_big_and_nothing_overflows_at_360px(open_form, definition):
    """On every page, every button, input, list and choice is at least 48 px high, and no page scrolls sideways."""
    page = open_form("?members=2")
    for i in range(len(definition["sections"]) + 1):
        page.evaluate(f"window.__form.goTo({i})")
        small = page.evaluate("""() => [...document.querySelectorAll(
            '.fm button, .fm input:not([type=file]):not([type=radio]):not([type=checkbox]), .fm select, .fm label.fq-choice, .fm summary')]
          .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 48)
          .map((e) => e.outerHTML.slice(0, 80))""")
        assert small == [], f"page {i}: {small}"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"page {i} overflows"
    shoot(page, "8-summary")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'living')})")
    shoot(page, "4-living")


def test_english_is_selectable(open_form, definition):
    """lang=en labels the form and the buttons in English."""
    page = open_form("?members=1&lang=en")
    expect(page.locator(".fm-next")).to_have_text(STRINGS["form.next"]["en"])
    expect(page.locator(".fm-title")).to_have_text(definition["sections"][0]["title"]["en"])


def test_on_change_gets_every_answer(open_form, definition):
    """The app's onChange receives the record after each keystroke typed at a person's pace (keys within one
    frame are saved together), and at once when the page is hidden (the phone switches app)."""
    page = open_form("?members=1")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'header')})")
    before = page.evaluate("window.__changes")
    field = page.locator("[data-key=household_code] input")
    field.press_sequentially("H-17", delay=80)
    page.wait_for_timeout(150)
    assert page.evaluate("window.__changes") - before == 4
    assert page.evaluate("window.__last.household_code") == "H-17"
    field.press_sequentially("X")
    page.evaluate("window.dispatchEvent(new Event('pagehide'))")
    assert page.evaluate("window.__last.household_code") == "H-17X"


def test_village_form_renders_with_its_range_checks(open_form, server):
    """The village form (no rule set: no live panel) shows its pages; a percentage over 100 is refused with the
    range in the message; numbers land at their paths."""
    village = server.definition("village")
    page = open_form("?form=village")
    assert page.locator(".fl-panel").count() == 0
    page.evaluate(f"window.__form.goTo({section_index(village, 'roads')})")
    pct = page.locator("[data-key=road_unpaved_pct] input")
    pct.press_sequentially("120")
    expect(page.locator("[data-key=road_unpaved_pct] .fq-msg")).to_have_text(
        vi("form.too_large", max=question(village, "road_unpaved_pct")["max"]))
    pct.fill("35,5")
    expect(page.locator("[data-key=road_unpaved_pct] .fq-msg")).to_be_hidden()
    assert record(page)["facts"]["road_unpaved_pct"] == 35.5
    page.evaluate("window.__form.goTo(0)")
    for _ in village["sections"]:
        page.click(".fm-next")
    expect(page.locator(".fm-title")).to_have_text(vi("form.summary.title"))
    assert page.problems == []


def test_typing_in_one_member_keeps_the_others_problems(open_form, definition):
    """Only the member typed in is evaluated again: another member's missing answer stays listed and shown, and
    the list of problems equals a full evaluation's."""
    page = open_form("?members=3")
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")
    member(page, 1).locator("[data-key=name] input").fill("")
    cccd = member(page, 3).locator("[data-key=id_number] input")
    cccd.press_sequentially("12", delay=30)
    problems = page.evaluate("window.__form.validate()")
    assert {p["path"] for p in problems} == {"members[0].name", "members[2].id_number"}
    cccd.press_sequentially("3456789012", delay=30)
    assert {p["path"] for p in page.evaluate("window.__form.validate()")} == {"members[0].name"}
    expect(member(page, 1).locator("[data-key=name] .fq-msg")).to_have_text(vi("form.required"))
    page.evaluate(f"window.__form.goTo({section_index(definition, 'members')})")  # a full evaluation
    assert {p["path"] for p in page.evaluate("window.__form.validate()")} == {"members[0].name"}
