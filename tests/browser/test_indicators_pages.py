"""The indicator pages in real Chromium on a 360 px phone, over the demo data (two review years, every state).

A server of its own (the demo adds forms to Xã Lộc Bình, which the other browser tests' supervisor reviews), with
the demo loaded through the real operations, an officer and a supervisor; stopped with the session, as the
shared server is. Screenshots of each page are kept under
test-artifacts/ (full pages, 360 px wide) for a person to look at.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from test_shell import WIDTH, assert_fits, assert_tappable

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "dashboard-test-password"
COMMUNE = "06529"
EVIL_VILLAGE = "<script>alert(1)</script> Bản Thử"


def _browser_conftest():
    """tests/browser/conftest.py as a module (for its LiveServer), under a name of its own."""
    spec = importlib.util.spec_from_file_location("browser_conftest_for_indicators", Path(__file__).with_name(
        "conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def dashboard_server(backend, tmp_path_factory, chromium):
    """The app with Lạng Sơn, the demo data, a village with a hostile name, an officer and a supervisor."""
    from server.accounts.operations import create_user
    from server.demo import load_demo_data
    from server.indicators.targets import seed_plan
    from server.places.operations import import_villages, load_province

    def setup():
        load_province("20")
        import_villages(f"commune_code,village_code,name,households_2025\n{COMMUNE},X-{COMMUNE}-09,"
                        f"{EVIL_VILLAGE},40\n", source="browser-tests")
        load_demo_data()
        seed_plan()  # the 2025 provincial plan of config/plans/
        create_user(None, username="cb.tinh.chiso", full_name="Lý Văn Tỉnh", role="officer", unit_code="20",
                    password=PASSWORD)
        create_user(None, username="cb.xa.chiso", full_name="Nông Thị Xã", role="supervisor", unit_code=COMMUNE,
                    password=PASSWORD)

    yield from _browser_conftest().own_server(backend, tmp_path_factory, "dashboard", setup)


@pytest.fixture
def phone(browser, dashboard_server):
    """A fresh 360×640 browser profile on the dashboard server."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 640}, base_url=dashboard_server.url,
                                  device_scale_factor=1)
    context.set_default_timeout(10_000)
    errors: list[str] = []
    tab = context.new_page()
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.errors = errors
    yield tab
    context.close()


def _log_in(page, username: str):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    return page


def _shot(page, name: str, part_height: int = 1200, max_parts: int = 12) -> None:
    """The whole page, and the same cut in parts a person (or an image viewer) can read at full size."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"indicators-{name}.png"), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    for i, top in enumerate(range(0, min(height, part_height * max_parts), part_height)):
        clip = {"x": 0, "y": top, "width": WIDTH, "height": min(part_height, height - top)}
        page.screenshot(path=str(ARTIFACTS / f"indicators-{name}-part{i + 1}.png"), full_page=True, clip=clip)


def _looks_right(page) -> None:
    """No sideways scroll, no error page, no policy violation in the console, every chart drawn and labelled."""
    assert_fits(page)
    expect(page.locator(".error-page")).to_have_count(0)
    assert not [e for e in page.errors if "Content Security Policy" in e or "Refused" in e], page.errors
    charts = page.locator("svg.chart")
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 0 and box["x"] + box["width"] <= WIDTH + 0.5, f"chart {i} sticks out: {box}"
        assert charts.nth(i).get_attribute("role") == "img"


def test_the_officer_lands_on_the_province_and_drills_down_to_a_village(phone, backend):
    page = _log_in(phone, "cb.tinh.chiso")
    assert urlparse(page.url).path == "/indicators/"
    expect(page.locator("h1")).to_contain_text("Lạng Sơn")
    expect(page.locator(".provenance")).to_contain_text("2022-2026")
    _looks_right(page)
    _shot(page, f"province-{backend}")

    with page.expect_navigation():
        page.locator("table.figures a", has_text="Xã Lộc Bình").first.click()
    expect(page.locator("h1")).to_contain_text("Xã Lộc Bình")
    expect(page.locator("table.figures")).to_contain_text(EVIL_VILLAGE)  # shown as text, not run
    _looks_right(page)
    _shot(page, f"commune-{backend}")

    # The year and basis are chosen on the page, without JavaScript: a form that reloads it.
    page.locator("details.choose > summary").click()
    page.select_option("#i-basis", "submitted")
    with page.expect_navigation():
        page.click("details.choose button[type=submit]")
    assert parse_qs(urlparse(page.url).query)["basis"] == ["submitted"]
    expect(page.locator(".provenance")).to_contain_text("tạm tính")
    _looks_right(page)

    # The finished year, whose villages have their resident households: rates, bars, the trend, the flows.
    page.goto(f"/indicators/{COMMUNE}?year=2025")
    expect(page.locator(".provenance")).to_contain_text("2025")
    expect(page.locator("a.tile.poor .tile-value")).to_contain_text("%")
    _looks_right(page)
    _shot(page, f"commune-2025-{backend}")

    with page.expect_navigation():
        page.locator("table.figures a", has_text="DEMO Thôn Nà Pàn").first.click()
    expect(page.locator("h1")).to_contain_text("DEMO Thôn Nà Pàn")
    expect(page.locator("nav.crumbs")).to_contain_text("Xã Lộc Bình")
    _looks_right(page)
    _shot(page, f"village-{backend}")


def test_a_figure_leads_to_its_households_in_the_queue(phone):
    page = _log_in(phone, "cb.tinh.chiso")
    page.goto(f"/indicators/{COMMUNE}")
    tile = page.locator("a.tile.poor")
    assert_tappable(tile, "the poverty-rate tile")
    poor = int("".join(ch for ch in tile.locator(".tile-sub").inner_text() if ch.isdigit()))
    with page.expect_navigation():
        tile.click()
    assert urlparse(page.url).path == "/review"
    expect(page.locator("table.queue tbody tr")).to_have_count(poor)
    _shot(page, "queue-from-figure")


def test_the_targets_and_the_status_of_the_province(phone):
    page = _log_in(phone, "cb.tinh.chiso")
    page.goto("/indicators/?year=2025")
    link = page.locator("a", has_text="Chỉ tiêu kế hoạch và tiến độ")
    assert_tappable(link, "the targets link")
    with page.expect_navigation():
        link.click()
    expect(page.locator("h1")).to_contain_text("Chỉ tiêu kế hoạch")
    expect(page.locator("ul.targets li").first).to_be_visible()
    assert page.locator("svg.chart.progress").count() == page.locator("ul.targets li").count()
    _looks_right(page)
    _shot(page, "targets")
    page.goto("/indicators/20/status?year=2025")
    expect(page.locator("h1")).to_contain_text("Tình trạng ĐBKK")
    _looks_right(page)
    _shot(page, "status")


def test_the_supervisor_sees_their_commune_and_is_refused_another(phone):
    page = _log_in(phone, "cb.xa.chiso")
    page.goto("/indicators/")
    expect(page.locator("h1")).to_contain_text("Xã Lộc Bình")
    _looks_right(page)
    _shot(page, "supervisor")
    response = page.goto("/indicators/05977")
    assert response.status == 403
