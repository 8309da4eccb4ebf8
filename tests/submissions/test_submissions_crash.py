"""Crash safety: the app served by waitress in a real process, killed with SIGKILL three times while phones post.

Several phones post a few hundred records and, as the phone's outbox does, resend the same record (same id, same
body) after any connection error until it is acknowledged. The server is killed at random moments and started
again. Afterwards every record is acknowledged (2xx) and stored exactly once, with one history step and one audit
entry, and a pull from the start returns every stored form once, with strictly increasing cursors.

Slow (a server started four times per backend): marked `crash`, run on CI (CI=true) or with RASOAT_CRASH_TESTS=1,
skipped otherwise. RASOAT_CRASH_SEED replays the kill moments of a run (each run prints its seed on failure).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from poverty_records import base_record
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from live_db import ON_CI, TEST_VILLAGES, migrate, new_database

pytestmark = [
    pytest.mark.crash,
    pytest.mark.skipif(not (ON_CI or os.environ.get("RASOAT_CRASH_TESTS") == "1"),
                       reason="kills a real server: set RASOAT_CRASH_TESTS=1 to run it (CI runs it)"),
]

ROOT = Path(__file__).resolve().parents[2]
PHONES, RECORDS_PER_PHONE, KILLS = 6, 50, 3
PATH = "/api/v1/submissions"
GIVE_UP_AFTER = 45.0  # seconds a phone keeps resending one record before the test fails

# The server process: the app under waitress, as bench/ingest.py serves it, on a fixed port so phones find it again.
SERVE = """
import logging, sys
from server import create_app
from waitress.server import create_server

logging.getLogger("waitress.queue").setLevel(logging.ERROR)
app = create_app({"DATABASE_URL": sys.argv[1], "INSTANCE_PATH": sys.argv[2], "SECRET_KEY": "crash-test"})
server = create_server(app, host="127.0.0.1", port=int(sys.argv[3]), threads=4)
print("ready", flush=True)
server.run()
"""


class Server:
    """The app in a child process, started again after each kill."""

    def __init__(self, url: str, instance: Path, log: Path):
        self.url, self.instance, self.log = url, instance, log
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = None
        self.starts = 0

    def start(self) -> None:
        with open(self.log, "ab") as err:
            self.proc = subprocess.Popen([sys.executable, "-c", SERVE, self.url, str(self.instance), str(self.port)],
                                         stdout=subprocess.PIPE, stderr=err, cwd=ROOT)
        line = self.proc.stdout.readline()
        if line.strip() != b"ready":
            self.proc.kill()
            raise RuntimeError(f"the server did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, whatever is in flight is cut."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()

    def log_tail(self, lines: int = 60) -> str:
        """The end of what the server processes wrote to stderr."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Kill the server if it runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.kill()


def prepare(url: str, instance: Path) -> tuple[dict, list[dict]]:
    """Migrate, load the places, make one enumerator with a token per phone and an officer; their headers."""
    from server import create_app
    from server.accounts.operations import create_user, issue_token
    from server.extensions import db
    from server.places.operations import import_villages, load_province

    migrate(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "crash-test"})
    with app.app_context():
        load_province("20")
        import_villages(TEST_VILLAGES.replace("01273,T-04-01,Tổ Ngoài Tỉnh,50,,1\n", ""), source="tests")
        headers = []
        for i in range(PHONES + 1):
            role, unit = ("officer", "20") if i == PHONES else ("enumerator", "T-06529-01")
            user = create_user(None, username=f"crash-{role}-{i}", full_name=f"Máy {i}", role=role, unit_code=unit,
                               password="crash-test-password")
            headers.append({"Authorization": f"Bearer {issue_token(user)[0]}", "Content-Type": "application/json"})
        db.session.commit()
        db.session.remove()
    app.extensions["rasoat_engine"].dispose()
    return headers[PHONES], headers[:PHONES]


class Phone(threading.Thread):
    """Posts its records one after the other, resending each after a connection error until it gets an answer."""

    def __init__(self, index: int, server: Server, headers: dict, acked: list):
        super().__init__(daemon=True)
        self.server, self.headers, self.acked = server, headers, acked
        self.records = [base_record(household_code=f"CRASH-{index}-{n}") for n in range(RECORDS_PER_PHONE)]
        self.answers: dict[str, int] = {}
        self.resends = 0
        self.failure: str | None = None

    def run(self) -> None:
        """Post every record until it is acknowledged (or refused, which fails the test)."""
        conn = None
        for record in self.records:
            body = json.dumps(record, ensure_ascii=False).encode()
            give_up = time.monotonic() + GIVE_UP_AFTER
            while True:
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=20)
                    conn.request("POST", PATH, body, self.headers)
                    resp = conn.getresponse()
                    reply = resp.read()
                except (OSError, http.client.HTTPException):  # refused, reset, cut mid-answer: send it again
                    if conn is not None:
                        conn.close()
                    conn = None
                    self.resends += 1
                    if time.monotonic() > give_up:
                        self.failure = f"{record['id']}: no answer for {GIVE_UP_AFTER:.0f} s"
                        return
                    time.sleep(random.uniform(0.02, 0.1))
                    continue
                if resp.status in (200, 201):
                    self.answers[record["id"]] = resp.status
                    self.acked.append(record["id"])
                    break
                self.failure = f"{record['id']}: {resp.status} {reply[:300]!r}"
                return
        if conn is not None:
            conn.close()


def pull_from_start(server: Server, headers: dict) -> list[tuple[str, str]]:
    """(id, cursor) of every form, paging from the start."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    out, since = [], ""
    try:
        while True:
            conn.request("GET", f"{PATH}?since={since}&limit=100", headers=headers)
            resp = conn.getresponse()
            body = json.loads(resp.read())
            assert resp.status == 200, body
            out += [(item["id"], item["cursor"]) for item in body["items"]]
            since = body["cursor"]
            if not body["more"]:
                return out
    finally:
        conn.close()


def test_kill_9_three_times_while_phones_post_loses_and_doubles_nothing(backend, tmp_path):
    seed = int(os.environ.get("RASOAT_CRASH_SEED") or random.randrange(10**6))
    rng = random.Random(seed)
    started = time.monotonic()
    url, drop = new_database(backend, tmp_path)
    server = Server(url, tmp_path / "instance", tmp_path / "server.log")
    try:
        officer, phone_headers = prepare(url, tmp_path / "instance")
        total = PHONES * RECORDS_PER_PHONE
        # Kill when a random share of the records has been acknowledged, a random instant after.
        moments = sorted(rng.sample(range(total // 10, total * 8 // 10), KILLS))
        acked: list[str] = []
        server.start()
        phones = [Phone(i, server, h, acked) for i, h in enumerate(phone_headers)]
        for phone in phones:
            phone.start()
        for moment in moments:
            deadline = time.monotonic() + 60
            while len(acked) < moment and any(p.is_alive() for p in phones):
                assert time.monotonic() < deadline, f"seed {seed}: stuck at {len(acked)} acknowledged"
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.03))
            server.kill()
            server.start()
        for phone in phones:
            phone.join(timeout=120)
        failures = [p.failure for p in phones if p.failure]
        assert failures == [], f"seed {seed}: {failures}\n{server.log_tail()}"

        posted = {r["id"] for p in phones for r in p.records}
        assert set(acked) == posted and len(acked) == total, f"seed {seed}"
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                def ids(sql):
                    return [row[0] for row in conn.execute(text(sql))]

                versions = ids("SELECT id FROM submission_versions")
                forms = ids("SELECT first_id FROM submissions")
                steps = ids("SELECT version_id FROM review_events WHERE action = 'submitted'")
                audited = ids("SELECT target_id FROM audit_events WHERE action = 'submission.submitted'")
                counter = conn.execute(text("SELECT value FROM sync_counters WHERE name = 'submissions'")).scalar()
                top = conn.execute(text("SELECT max(change_seq) FROM submissions")).scalar()
        finally:
            engine.dispose()
        # Exactly once: each acknowledged record is one version, one form, one history step, one audit entry.
        for name, stored in (("versions", versions), ("forms", forms), ("history steps", steps),
                             ("audit entries", audited)):
            assert sorted(stored) == sorted(posted), f"seed {seed}: {name} differ from the acknowledged records"
        assert counter >= top, f"seed {seed}: the sync counter ({counter}) is behind a stored cursor ({top})"

        pulled = pull_from_start(server, officer)
        assert sorted(i for i, _ in pulled) == sorted(posted), f"seed {seed}: the pull differs from what is stored"
        epochs = {c.split(".")[0] for _, c in pulled}
        seqs = [int(c.split(".")[1]) for _, c in pulled]
        assert len(epochs) == 1 and all(a < b for a, b in zip(seqs, seqs[1:])), f"seed {seed}: cursors {seqs}"
    finally:
        server.stop()
        drop()
    retried = sum(p.resends for p in phones)
    replayed = sum(1 for p in phones for s in p.answers.values() if s == 200)
    print(f"{backend}: {total} records, {KILLS} kills (seed {seed}), {retried} resends, {replayed} answered 200 "
          f"as retries of a stored record, {time.monotonic() - started:.1f} s")
