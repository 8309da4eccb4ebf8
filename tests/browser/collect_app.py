"""The collector's browser tests: the app in a real server process that a test stops, kills and starts again,
and Chromium with a profile kept in a folder, so "close the browser and reopen it" is real.

The server runs `SERVE` in a child process on a fixed port (the phone finds it again after a restart). Variants:
`release="n+1"` serves a new version of the collector (every precached file's version changes, so the service
worker and its cache name change, as after a deployment); `hold_posts=True` lets a test cut a sync after the server
stored a post and before it answered (the test kills the server while the answer is held).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from live_db import migrate, new_database

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "collector-test-password"
VILLAGE = "C-06529-01"
VILLAGES = f"""commune_code,village_code,name,households_2025,persons_2025,in_dtts_mn_area
06529,{VILLAGE},Thôn Thu Thập,90,360,1
"""
ENUMERATOR = ("rsv.thuthap", "enumerator", VILLAGE, "Hoàng Thị Thu")
SUPERVISOR = ("cb.thuthap", "supervisor", "06529", "Nông Văn Duyệt")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 640}
ARTIFACTS = ROOT / "test-artifacts"

SERVE = r"""
import json, logging, os, sys, time
from pathlib import Path
from server import create_app
from waitress.server import create_server

logging.getLogger("waitress.queue").setLevel(logging.ERROR)
url, instance, port, release, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
if release != "n":
    from server.collect import views
    original = views.precache_entries
    views.precache_entries = lambda: [[u, f"{v}-{release}"] for u, v in original()]
app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "collect-test"})
wsgi = app.wsgi_app

def held(environ, start_response):
    # After the app stored a post (its answer is ready), wait before answering while the marker file exists.
    body = list(wsgi(environ, start_response))
    if (environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].startswith("/api/v1/submissions")
            and os.path.exists(hold)):
        Path(hold + ".stored").write_text(environ["PATH_INFO"])
        time.sleep(60)
    return body

app.wsgi_app = held
server = create_server(app, host="127.0.0.1", port=port, threads=4)
print("ready", flush=True)
server.run()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_user(server, username: str, role: str, unit: str, *, must_change_password: bool = False) -> None:
    """One more account on the server's database (PASSWORD; one-time when must_change_password)."""
    from server import create_app
    from server.accounts.operations import create_user
    from server.extensions import db

    app = create_app({"DATABASE_URL": server.db_url, "INSTANCE_PATH": str(server.instance),
                      "SECRET_KEY": "collect-test"})
    with app.app_context():
        create_user(None, username=username, full_name="Người Dùng Mới", role=role, unit_code=unit, password=PASSWORD,
                    must_change_password=must_change_password)
        db.session.commit()
        db.session.remove()
    app.extensions["rasoat_engine"].dispose()


class Server:
    """The app in a child process; stop() kills it (SIGKILL: whatever is in flight is cut)."""

    def __init__(self, url: str, instance: Path):
        self.db_url, self.instance = url, instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.hold_marker = instance / "hold-posts"
        self.proc = None

    def start(self, release: str = "n") -> Server:
        log = open(self.instance / "server.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-c", SERVE, self.db_url, str(self.instance), str(self.port),
                                      release, str(self.hold_marker)], stdout=subprocess.PIPE, stderr=log, cwd=ROOT)
        log.close()
        if self.proc.stdout.readline().strip() != b"ready":
            self.proc.kill()
            raise RuntimeError((self.instance / "server.log").read_text(errors="replace")[-3000:])
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
            self.proc.stdout.close()
        self.proc = None
        # The port is free once the process is gone: a page load now fails as on a phone without signal.

    def api(self, method: str, path: str, body=None, token: str | None = None):
        """(status, JSON) of one API call, from the test (not the phone)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def token(self, user=SUPERVISOR) -> str:
        status, body = self.api("POST", "/api/v1/token", {"username": user[0], "password": PASSWORD})
        assert status == 201, body
        return body["token"]


def prepare(backend: str, tmp: Path):
    """A migrated database with Lạng Sơn, one village, the enumerator and the supervisor; (url, drop)."""
    from server import create_app
    from server.accounts.operations import create_user
    from server.extensions import db
    from server.places.operations import import_villages, load_province

    url, drop = new_database(backend, tmp)
    migrate(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "SECRET_KEY": "collect-test"})
    with app.app_context():
        load_province("20")
        import_villages(VILLAGES, source="collector-tests")
        for username, role, unit, name in (ENUMERATOR, SUPERVISOR):
            create_user(None, username=username, full_name=name, role=role, unit_code=unit, password=PASSWORD)
        db.session.commit()
        db.session.remove()
    app.extensions["rasoat_engine"].dispose()
    return url, drop


@contextmanager
def collector(backend: str, tmp: Path):
    """A prepared database and its (stopped) server; the database is dropped afterwards."""
    url, drop = prepare(backend, tmp)
    instance = tmp / "instance"
    instance.mkdir()
    server = Server(url, instance)
    try:
        yield server
    finally:
        server.stop()
        drop()


class Phone:
    """Chromium with a profile folder of its own: open() and close() it like a phone's browser."""

    def __init__(self, playwright, chromium: str, profile: Path, base_url: str):
        self.pw, self.chromium, self.profile, self.base_url = playwright, chromium, profile, base_url
        self.context = None
        self.page = None

    def open(self):
        self.context = self.pw.chromium.launch_persistent_context(
            str(self.profile), executable_path=self.chromium, headless=True, args=CHROMIUM_ARGS,
            viewport=PHONE, device_scale_factor=1, base_url=self.base_url, accept_downloads=True)
        self.context.set_default_timeout(15_000)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        return self.page

    def close(self):
        if self.context is not None:
            self.context.close()
        self.context = self.page = None

    def shot(self, name: str):
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"collect-{name}.png"), full_page=True)


def wait_for_worker(page) -> str:
    """Wait until a service worker controls the page and has filled its cache; the cache's name."""
    # Polled from Python: wait_for_function evaluates its predicate as a string, which the page's CSP (no
    # 'unsafe-eval') may refuse.
    wait_until(lambda: page.evaluate("() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"),
               timeout=20, what="a service worker to control the page")
    return page.evaluate("""async () => {
        const names = (await caches.keys()).filter((n) => n.startsWith('rasoat-collect-'));
        return names.join(',');
    }""")


def log_in(page, user=ENUMERATOR):
    page.goto("/collect/")
    page.fill("#login-username", user[0])
    page.fill("#login-password", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_selector("#new-household")


def local_entries(page) -> list[dict]:
    """Every form in the phone's IndexedDB (id, state, record), read straight from the store."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('rasoat-collect');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const db = open.result;
            const get = db.transaction('records').objectStore('records').getAll();
            get.onsuccess = () => { db.close(); resolve(get.result); };
            get.onerror = () => reject(get.error);
        };
    })""")


def wait_until(predicate, timeout: float = 30.0, step: float = 0.25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


# A household of three as the enumerator types it: (key, kind, value) per member, the labels as the form shows them.
MEMBERS = [
    {"name": "Hoàng Văn Bảo", "relation": "Chủ hộ", "sex": "Nam", "birth_date": "1980-03-14", "ethnicity": "Tày",
     "health_insurance": "Có", "schooling": "Không đi học", "highest_diploma": "Tốt nghiệp trung học cơ sở",
     "employment": "Tự làm, tự sản xuất kinh doanh", "disability": "Không khuyết tật"},
    {"name": "Lương Thị Hoa", "relation": "Vợ/chồng", "sex": "Nữ", "birth_date": "1983-07-02", "ethnicity": "Nùng",
     "health_insurance": "Có", "schooling": "Không đi học", "highest_diploma": "Tốt nghiệp tiểu học",
     "employment": "Tự làm, tự sản xuất kinh doanh", "disability": "Không khuyết tật"},
    {"name": "Hoàng Thị Mai", "relation": "Con", "sex": "Nữ", "birth_date": "2015-09-20", "ethnicity": "Tày",
     "health_insurance": "Có", "schooling": "Đang đi học", "school_level": "Tiểu học",
     "highest_diploma": "Chưa có bằng cấp", "employment": "Không tham gia lực lượng lao động",
     "disability": "Không khuyết tật", "malnutrition": "Không suy dinh dưỡng"},
]
TEXT_KEYS = {"name", "household_code", "annual_income_vnd", "floor_area_m2", "birth_date"}
SELECT_KEYS = {"ethnicity", "relation", "water_source", "toilet", "highest_diploma", "employment"}


def answer(scope, key: str, value: str) -> None:
    """Answer one question inside `scope` (the page or a member block), whatever widget the renderer chose."""
    field = scope.locator(f'[data-key="{key}"]').first
    control = field.locator("input.fq-input, select, textarea").first
    if key in TEXT_KEYS:
        control.fill(value)
        return
    if field.locator("select").count():
        field.locator("select").first.select_option(label=value)
        return
    field.locator("label.fq-choice", has_text=re.compile(f"^\\s*{re.escape(value)}\\s*$")).first.click()


def next_page(page, expect_key: str | None = None) -> None:
    page.locator(".fm-next").click()
    if expect_key:
        page.locator(f'[data-key="{expect_key}"]').first.wait_for()


def open_member(page, index: int):
    """Member `index` (0-based) of the roster, opened by a tap on its heading when it is closed (the roster is an
    accordion: one member's questions on the page at a time)."""
    block = page.locator(".fr-item").nth(index)
    toggle = block.locator(".fr-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    block.locator(".fr-body").wait_for()
    return block


def fill_members(page, members=MEMBERS) -> None:
    """On the roster page: add members until there are enough, then answer every question of each."""
    items = page.locator(".fr-item")
    while items.count() < len(members):
        page.locator(".fr-add").click()
    for i, member in enumerate(members):
        block = open_member(page, i)
        for key, value in member.items():
            answer(block, key, value)


def fill_household(page, *, reload_after_members=None) -> None:
    """Fill a whole household form from its first page to its summary, and send it to the queue."""
    page.locator('[data-key="review_year"]').wait_for()
    answer(page, "household_code", "TT-007")
    next_page(page, "quick_screen_items")   # no item ticked: the screen does not stop the survey
    next_page(page, "members")
    fill_members(page)
    if reload_after_members:
        # Every answer is written to IndexedDB as it is given: wait for the last one, then reload.
        wait_until(lambda: any(len(e["record"].get("members") or []) == len(MEMBERS)
                               and e["record"]["members"][-1].get("malnutrition") for e in local_entries(page)),
                   what="the last answer to be stored")
        reload_after_members()
        page.locator('[data-key="members"]').first.wait_for()   # the form opens again at the page it was left at
        assert open_member(page, 2).locator('[data-key="name"] input').input_value() == MEMBERS[2]["name"]
    next_page(page, "income_method")
    answer(page, "income_method", "Thu nhập thực tế 12 tháng qua (Phiếu C)")
    answer(page, "annual_income_vnd", "150000000")
    next_page(page, "floor_area_m2")
    for key, value in (("floor_area_m2", "48"), ("durable_foundation", "Có"), ("durable_walls", "Có"),
                       ("durable_roof", "Có"), ("water_source", "Nước máy"), ("toilet", "Hố xí tự hoại"),
                       ("internet_use", "Có"), ("info_devices", "Ti vi")):
        answer(page, key, value)
    next_page(page, "merit_person")
    next_page(page, "gps")
    page.locator(".fm-next").click()
    page.locator(".fm-submit").wait_for()


def submit_form(page) -> None:
    """On the summary page: send the form to the queue; back on the home screen."""
    assert page.locator(".fm-ok").count() == 1, page.locator("#form-root").inner_text()
    page.locator(".fm-submit").click()
    page.locator("#new-household").wait_for()


def household(**fields) -> dict:
    """A complete household record of the test village for this year's review, as the phone would make it."""
    from datetime import datetime, timedelta, timezone

    from poverty_records import base_record

    started = (datetime.now(timezone(timedelta(hours=7))) - timedelta(hours=1)).replace(microsecond=0)
    record = base_record(form_version="2026.1", review_year=started.year, village_code=VILLAGE,
                         interview={"started_at": started.isoformat(), "enumerator": ENUMERATOR[0]})
    record.update(fields)
    return record


def queue_records(page, records) -> None:
    """Put records in the phone's outbox through the app's own module (as if filled and finished)."""
    page.evaluate("""async (records) => {
        const outbox = await import('/static/js/lib/outbox.js');
        for (const record of records) {
            await outbox.create({record});
            await outbox.enqueue(record.id);
        }
    }""", records)


def states(page) -> dict[str, str]:
    """{record id: state} of every form on the phone."""
    return {e["id"]: e["state"] for e in local_entries(page)}


def stored(server) -> list[dict]:
    """Every form the server holds (as the supervisor pulls them, with their records)."""
    token, since, items = server.token(), "", []
    while True:
        status, body = server.api("GET", f"/api/v1/submissions?since={since}&include=record&purpose=test&limit=500",
                                  token=token)
        assert status == 200, body
        items += body["items"]
        since = body["cursor"]
        if not body["more"]:
            return items


def return_with_comment(server, record_id: str, field_path: str, text: str) -> None:
    """The supervisor returns a form for correction with a comment at one field (the review operations)."""
    from sqlalchemy import select

    from server import create_app
    from server.accounts.models import User
    from server.core.scoping import scoped, unscoped
    from server.extensions import db
    from server.review.operations import act, add_comment
    from server.submissions.models import Submission

    app = create_app({"DATABASE_URL": server.db_url, "INSTANCE_PATH": str(server.instance),
                      "SECRET_KEY": "collect-test"})
    with app.app_context():
        actor = db.session.execute(unscoped(select(User).where(User.username == SUPERVISOR[0]),
                                             "the test's supervisor")).scalar_one()
        form = db.session.execute(scoped(select(Submission).where(Submission.current_id == record_id),
                                         actor)).scalar_one()
        add_comment(actor, form, text, field_path=field_path)
        act(actor, form, "return", revision=form.revision, comment=text)
        db.session.commit()
        db.session.remove()
    app.extensions["rasoat_engine"].dispose()


def make_drafts(page, records) -> None:
    """Put records on the phone as drafts (opened, not finished)."""
    page.evaluate("""async (records) => {
        const outbox = await import('/static/js/lib/outbox.js');
        for (const record of records) await outbox.create({record});
    }""", records)


def cache_names(page) -> list[str] | None:
    """The collector's caches; None while the page is being reloaded (an update taking over reloads it)."""
    from playwright.sync_api import Error

    try:
        return page.evaluate("async () => (await caches.keys()).filter((n) => n.startsWith('rasoat-collect-'))")
    except Error:
        return None
