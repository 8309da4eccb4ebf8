"""Access in real Chromium at 360 px: the CSP breaks no page, a copied cookie dies at logout, the account page
says what a password change ends, and a throttled login keeps its form."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from server.core.roles import WEB_ROLES
from server.core.security import CONTENT_SECURITY_POLICY
from test_shell import assert_fits, shot

pytestmark = pytest.mark.browser

# Pages beyond the menu that load scripts or forms of their own.
EXTRA = {"supervisor": ["/review/meeting", "/review/decision"], "admin": ["/admin/users/new"]}


def _path(page) -> str:
    """The path of the page's current URL."""
    return urlparse(page.url).path


def _violations(page) -> list[str]:
    """Start collecting what Chromium reports as refused by the Content-Security-Policy."""
    found: list[str] = []
    page.on("console", lambda msg: found.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text else None)
    return found


@pytest.mark.parametrize("role", WEB_ROLES)
def test_no_page_breaks_the_content_security_policy(page, log_in, role):
    violations = _violations(page)
    response = page.goto("/login")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    log_in(role)
    links = page.locator("header nav a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for href in [*hrefs, "/account/password", *EXTRA.get(role, [])]:
        response = page.goto(href)
        assert response.status == 200, href
        assert response.headers["cache-control"] == "no-store", href
        assert response.headers["x-content-type-options"] == "nosniff", href
        expect(page.locator(".error-page")).to_have_count(0)
    assert violations == []


def test_the_meeting_pages_script_still_runs_under_the_policy(page, log_in):
    violations = _violations(page)
    log_in("supervisor")
    scripts = []
    page.on("response", lambda r: scripts.append(r.status) if r.url.endswith("/static/js/review.js") else None)
    response = page.goto("/review/meeting?village=B-06529-01")  # the live server's village
    assert response.status == 200
    page.locator("input[name=attendees]").fill("12")
    page.wait_for_load_state("networkidle")
    assert scripts and all(status in (200, 304) for status in scripts), "review.js did not load"
    assert violations == []


def test_a_cookie_copied_before_logout_opens_nothing_after_it(browser, live_server, log_in, page):
    log_in("officer")
    thief = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 640})
    try:
        thief.add_cookies(page.context.cookies())
        stolen = thief.new_page()
        stolen.goto("/account")
        assert _path(stolen) == "/account"
        with page.expect_navigation():
            page.locator("header button", has_text="Đăng xuất").click()
        stolen.goto("/account")
        assert _path(stolen) == "/login", "a copy of the cookie outlived the logout"
    finally:
        thief.close()


def test_login_and_account_pages_at_360px(page, log_in):
    page.goto("/login")
    assert_fits(page)
    shot(page, "access-login")
    log_in("enumerator")
    page.goto("/account")
    expect(page.locator("main")).to_contain_text("Đổi mật khẩu sẽ đăng xuất bạn khỏi mọi trình duyệt khác")
    assert_fits(page)
    shot(page, "access-account")


def test_a_throttled_login_keeps_its_form_at_360px(page):
    page.goto("/login")
    for _ in range(6):  # a name nobody has: the throttle of this (name, address) pair concerns no other test
        page.fill("#username", "khong.ai.co")
        page.fill("#password", "sai-mat-khau")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    expect(page.locator("main .flash.error")).to_contain_text("Đăng nhập sai quá nhiều lần. Hãy thử lại sau")
    expect(page.locator("#password")).to_be_visible()
    assert_fits(page)
    shot(page, "access-login-throttled")


def test_the_administrator_locks_and_unlocks_sign_in_at_360px(page, log_in):
    log_in("admin")
    page.goto("/admin/users")
    with page.expect_navigation():
        page.locator("main a", has_text="rsv.trinhduyet").click()
    section = page.locator("#sign-in")
    with page.expect_navigation():
        section.locator("button", has_text="Khóa đăng nhập").click()
    expect(page.locator("#sign-in")).to_contain_text("Đăng nhập bằng mật khẩu bị khóa từ")
    assert_fits(page)
    page.locator("#sign-in").scroll_into_view_if_needed()
    shot(page, "access-user-locked")
    with page.expect_navigation():
        page.locator("#sign-in button", has_text="Mở khóa đăng nhập").click()
    expect(page.locator("#sign-in button", has_text="Khóa đăng nhập")).to_be_visible()
