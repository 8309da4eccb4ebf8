"""Browser fixtures: the real app served by waitress on 127.0.0.1, driven by Debian's Chromium through Playwright.

The server runs in a background thread against its own database, migrated by Alembic and committed for real
(no rolled-back test transaction: the browser's requests run in waitress's threads). It holds Lạng Sơn, one test
village and one user per role, all with BROWSER_PASSWORD. CSRF protection is on, as in production.
Runs on SQLite and on PostgreSQL (the `backend` fixture of tests/conftest.py decides; PostgreSQL skips when
absent, except on CI). Without /usr/bin/chromium the tests skip, except on CI (CI=true) where they fail.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# The launch flags this machine needs (see the project's environment notes): no sandbox inside containers, no
# GPU, and no background traffic to Google services.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ON_CI = os.environ.get("CI", "").lower() == "true"
BROWSER_PASSWORD = "browser-test-password"
PHONE = {"width": 360, "height": 640}
ROOT = Path(__file__).resolve().parents[2]

# One village in Xã Lộc Bình (fabricated code) for the enumerator's area.
VILLAGES = """commune_code,village_code,name,households_2025,persons_2025,in_dtts_mn_area
06529,B-06529-01,Thôn Trình Duyệt,120,480,1
"""
# Role → (username, unit code, full name).
USERS = {
    "enumerator": ("rsv.trinhduyet", "B-06529-01", "Hoàng Văn Thử"),
    "supervisor": ("cb.locbinh", "06529", "Nông Thị Kiểm"),
    "officer": ("cb.tinh", "20", "Lý Văn Tỉnh"),
    "admin": ("quantri", "20", "Quản Trị Viên"),
}


def _load(name: str, path: Path):
    """Import a helper module by path (tests/ and scripts/ are not packages)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class LiveServer:
    """The app under waitress in a daemon thread; `url` is its base address."""

    def __init__(self, app) -> None:
        from waitress.server import create_server

        self.app = app
        self._server = create_server(app, host="127.0.0.1", port=0, threads=4, clear_untrusted_proxy_headers=True)
        self.url = f"http://127.0.0.1:{self._server.effective_port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="waitress-browser-tests", daemon=True)

    def _serve(self) -> None:
        """Run waitress's loop in short slices until asked to stop, then close every socket in this thread."""
        from waitress import wasyncore

        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=0.1, map=self._server._map, count=1)
        finally:
            self._server.task_dispatcher.shutdown()
            wasyncore.close_all(self._server._map)

    def start(self) -> LiveServer:
        """Start serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._stop.set()
        self._thread.join(timeout=10)

    def path(self, endpoint: str, **values) -> str:
        """The URL path of an endpoint."""
        from flask import url_for

        with self.app.test_request_context():
            return url_for(endpoint, **values)


def own_server(backend, tmp_path_factory, name: str, setup, **config):
    """Yield a LiveServer of a test module's own: a fresh migrated database, `setup()` run in the app's context
    (inside `writing()`, then committed), WTF CSRF on; stopped and its database dropped afterwards."""
    _load("compile_translations", ROOT / "scripts" / "compile_translations.py").compile_all()

    from live_db import migrate, new_database
    from server import create_app
    from server.core.db import writing
    from server.extensions import db

    tmp = tmp_path_factory.mktemp(f"{name}-{backend}")
    url, drop = new_database(backend, tmp)
    try:
        migrate(url)
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "SECRET_KEY": f"{name}-test-secret",
                          "WTF_CSRF_ENABLED": True, **config})
        with app.app_context():
            with writing():
                setup()
                db.session.commit()
            db.session.remove()
        server = LiveServer(app).start()
        try:
            yield server
        finally:
            server.stop()
            with app.app_context():
                db.engine.dispose()
    finally:
        drop()


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium executable; skip (fail on CI) when it is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is missing: apt-get install chromium (scripts/test does it when run as root)"
        if ON_CI:
            pytest.fail(f"CI requires Chromium for the browser tests: {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(backend, tmp_path_factory):
    """The real app on a fresh migrated database with Lạng Sơn and one user per role, served over HTTP."""
    compiler = _load("compile_translations", ROOT / "scripts" / "compile_translations.py")
    compiler.compile_all()

    from live_db import migrate, new_database
    from server import create_app
    from server.accounts.operations import create_user
    from server.extensions import db
    from server.places.operations import import_villages, load_province

    tmp = tmp_path_factory.mktemp(f"browser-{backend}")
    url, drop = new_database(backend, tmp)
    migrate(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "SECRET_KEY": "browser-test-secret",
                      "WTF_CSRF_ENABLED": True})
    with app.app_context():
        load_province("20")
        import_villages(VILLAGES, source="browser-tests")
        for role, (username, unit, name) in USERS.items():
            create_user(None, username=username, full_name=name, role=role, unit_code=unit,
                        password=BROWSER_PASSWORD)
        db.session.commit()
        db.session.remove()
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()
    drop()


@pytest.fixture(scope="session")
def pw_driver(chromium):
    """One Playwright driver for the session: its sync API cannot be started twice in one process at once."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture
def playwright(pw_driver):
    """Playwright for a test that launches its own Chromium (a persistent profile, tests/browser/collect_app.py)."""
    return pw_driver


@pytest.fixture(scope="session")
def browser(pw_driver, chromium):
    """One headless Chromium for the session."""
    instance = pw_driver.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser profile (no cookies) with a phone-sized window, on the live server."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, device_scale_factor=1)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def log_in(page):
    """Log in through the form as the test user of a role; return the page."""

    def do(role: str, password: str = BROWSER_PASSWORD):
        page.goto("/login")
        page.fill("#username", USERS[role][0])
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        return page

    return do
