"""A stored household whose code and head's name hold a right-to-left override (U+202E), in real Chromium at 360 px.

The record was stored before the server refused such characters. On the supervisor's queue and household page the
override reverses only the text that holds it: the page's own words after it ("phiên bản 1", the form's number)
are laid out left to right. A server of its own (the record would sit in the other browser tests' queue).
Screenshots under test-artifacts/review-isolation-*.png.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bidi_text import hostile
from poverty_records import base_record, person
from test_shell import WIDTH, assert_fits

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "isolation-test-password"
COMMUNE, VILLAGE = "06529", "R-06529-01"
# As the tester met them: the override in the middle of the code, and at the end of the name.
CODE, HEAD = "LN-\u202e2202", hostile("Hoàng Văn Một")

# The left edges of the characters of `text` in the first text node under `selector` that holds it.
LEFTS = """([selector, text]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    return [...text].map((_, i) => {
      const range = document.createRange();
      range.setStart(node, at + i);
      range.setEnd(node, at + i + 1);
      return range.getBoundingClientRect().left;
    });
  }
  return null;
}"""


def _browser_conftest():
    """tests/browser/conftest.py as a module (for its own_server), under a name of its own."""
    spec = importlib.util.spec_from_file_location("browser_conftest_for_isolation", Path(__file__).with_name(
        "conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def isolation_server(backend, tmp_path_factory, chromium):
    """The app with one village, its enumerator, the commune's supervisor and the hostile household."""
    from server.accounts.operations import create_user
    from server.places.operations import import_villages, load_province
    from server.poverty import fastcheck, fields
    from server.submissions.operations import ingest

    def setup():
        load_province("20")
        import_villages(f"commune_code,village_code,name,households_2025\n{COMMUNE},{VILLAGE},Thôn Một,40\n",
                        source="browser-tests")
        enumerator = create_user(None, username="rsv.mot", full_name="Lương Văn Hai", role="enumerator",
                                 unit_code=VILLAGE, password=PASSWORD)
        create_user(None, username="cb.xa.mot", full_name="Nông Thị Kiểm", role="supervisor", unit_code=COMMUNE,
                    password=PASSWORD)
        record = base_record(village_code=VILLAGE, household_code=CODE,
                             members=[person(1, name=HEAD), person(2, name="Nông Văn Bình")])
        with pytest.MonkeyPatch.context() as patch:  # the record contract before it refused bidi controls
            old = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
            patch.setattr(fields, "CONTROL_RE", old)
            patch.setattr(fastcheck, "CONTROL_RE", old)
            ingest(record, enumerator)

    yield from _browser_conftest().own_server(backend, tmp_path_factory, "isolation", setup)


@pytest.fixture
def phone(browser, isolation_server):
    """A fresh 360×640 browser profile on the server, signed in as the commune's supervisor."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 640}, base_url=isolation_server.url,
                                  device_scale_factor=1)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto("/login")
    tab.fill("#username", "cb.xa.mot")
    tab.fill("#password", PASSWORD)
    with tab.expect_navigation():
        tab.click("main form button[type=submit]")
    yield tab
    context.close()


def _left_to_right(page, selector: str, text: str) -> bool:
    """Whether the characters of `text` (page words after the user text) are laid out left to right."""
    lefts = page.evaluate(LEFTS, [selector, text])
    assert lefts is not None, f"{text!r} is not under {selector}"
    return lefts == sorted(lefts) and len(set(lefts)) == len(lefts)


def test_the_queue_and_the_household_page_read_their_own_words_left_to_right(phone):
    ARTIFACTS.mkdir(exist_ok=True)
    row = phone.locator("table.queue tbody tr").first
    expect(row).to_contain_text("Hoàng Văn Một")
    number = row.locator("span.muted").first.inner_text()  # "#1"
    assert _left_to_right(phone, "table.queue tbody tr td", number), f"the form's number reads reversed: {number}"
    assert_fits(phone)
    phone.screenshot(path=str(ARTIFACTS / "review-isolation-queue.png"), full_page=True)

    with phone.expect_navigation():
        row.locator("a").first.click()
    meta = phone.locator("p.meta")
    expect(meta).to_contain_text("phiên bản 1")
    assert _left_to_right(phone, "p.meta", "phiên bản"), "the header's words after the household code read reversed"
    assert_fits(phone)
    phone.screenshot(path=str(ARTIFACTS / "review-isolation-household.png"))
