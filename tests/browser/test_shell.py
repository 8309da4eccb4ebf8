"""The UI shell in real Chromium on a 360 px phone: each role's home, the menu, languages, CSRF, logging out."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from server.core.roles import WEB_ROLES
from server.web import HOME_BY_ROLE

pytestmark = pytest.mark.browser

WIDTH = 360
MIN_TAP = 24  # px: the smallest tap target height accepted (WCAG 2.2 target size, minimum)


def _path(page) -> str:
    """The path of the page's current URL."""
    return urlparse(page.url).path


def assert_fits(page) -> None:
    """The page does not scroll sideways on a 360 px screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide at {WIDTH} px: it scrolls sideways"


def assert_tappable(locator, what: str) -> None:
    """The element is visible, entirely on screen horizontally, and tall enough to tap."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None, f"{what} has no box"
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"{what} sticks out of the screen: {box}"
    assert box["height"] >= MIN_TAP, f"{what} is {box['height']} px tall, too small to tap"


def shot(page, name: str) -> None:
    """Keep a screenshot of the first screenful for a person to look at."""
    page.screenshot(path=f"/tmp/shot-{name}.png")


@pytest.mark.parametrize("role", WEB_ROLES)
def test_each_role_lands_on_its_page_and_the_menu_works_at_360px(page, log_in, live_server, role):
    log_in(role)
    assert _path(page) == live_server.path(HOME_BY_ROLE[role])
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert_fits(page)
    shot(page, role)

    links = page.locator("header nav a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs, "the signed-in page has no menu"
    for i, href in enumerate(hrefs):
        assert_tappable(links.nth(i), f"menu link {href}")
    assert_tappable(page.locator("header button", has_text="English"), "the language button")
    assert_tappable(page.locator("header button", has_text="Đăng xuất"), "the log-out button")

    # The enumerator's menu leads to the collector (the offline app: its own page, no web menu; tested in
    # tests/browser/test_collect_*.py).
    assert ("/collect/" in hrefs) == (role == "enumerator")
    for href in hrefs:
        if href == "/collect/":
            continue
        with page.expect_navigation():
            page.locator(f'header nav a[href="{href}"]').click()
        assert _path(page) == href
        expect(page.locator(".error-page")).to_have_count(0)
        assert_fits(page)


def test_wrong_password_shows_a_vietnamese_error(page, log_in):
    log_in("officer", password="not-the-password")
    assert _path(page) == "/login"
    expect(page.locator("main .errors li")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.locator("header nav")).to_have_count(0)
    assert_fits(page)
    shot(page, "login-error")


def test_switching_to_english_and_back(page, log_in, live_server):
    page.goto("/login")
    expect(page.locator("h1")).to_have_text("Đăng nhập RaSoat")
    with page.expect_navigation():
        page.locator("header button", has_text="English").click()
    assert _path(page) == "/login"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Log in to RaSoat")
    assert_fits(page)

    log_in("supervisor")  # the choice outlives the login
    home = live_server.path(HOME_BY_ROLE["supervisor"])
    expect(page.locator("header nav")).to_contain_text("My area")
    assert_fits(page)
    shot(page, "supervisor-en")

    with page.expect_navigation():
        page.locator("header button", has_text="Tiếng Việt").click()
    assert _path(page) == home
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("header nav")).to_contain_text("Địa bàn của tôi")


def test_forms_carry_a_csrf_token_and_a_post_without_it_fails(page, log_in, live_server):
    def assert_every_form_has_a_token(expected_at_least: int) -> None:
        forms = page.locator("form[method=post]")
        assert forms.count() >= expected_at_least
        for i in range(forms.count()):
            assert forms.nth(i).locator("input[name=csrf_token]").input_value(), "a form without a CSRF token"

    page.goto("/login")
    assert_every_form_has_a_token(2)  # the login form, the language switch

    def post(path: str, form: dict):
        return page.request.post(live_server.url + path, form=form, max_redirects=0)

    refused = post("/login", {"username": "quantri", "password": "browser-test-password"})
    assert refused.status == 400
    assert "Phiên làm việc của biểu mẫu đã hết hạn" in refused.text()
    page.goto("/")
    assert _path(page) == "/login", "a login without a CSRF token signed the user in"

    log_in("admin")
    home = live_server.path(HOME_BY_ROLE["admin"])
    assert_every_form_has_a_token(2)  # the language switch, log out

    assert post("/logout", {}).status == 400
    assert post("/logout", {"csrf_token": "forged"}).status == 400
    page.goto("/")
    assert _path(page) == home, "a log-out without a valid CSRF token signed the user out"

    # The control: the same request with the page's token is accepted.
    token = page.locator('header form[action="/logout"] input[name=csrf_token]').input_value()
    assert post("/logout", {"csrf_token": token}).status == 302
    page.goto("/")
    assert _path(page) == "/login"


def test_logging_out(page, log_in, live_server):
    log_in("enumerator")
    home = live_server.path(HOME_BY_ROLE["enumerator"])
    assert _path(page) == home
    with page.expect_navigation():
        page.locator("header button", has_text="Đăng xuất").click()
    assert _path(page) == "/login"
    expect(page.locator("header nav")).to_have_count(0)
    expect(page.locator("header button", has_text="Đăng xuất")).to_have_count(0)

    page.goto(home)
    assert _path(page) == "/login", "the user's page is still reachable after logging out"
