"""Backups (server/backup.py): a copy taken while records and photos arrive, restored into a fresh database and
compared; a restore replaces a database only when asked and draws a new sync cursor epoch. On both backends,
with committed transactions (each test's databases are its own)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import threading
import time
import uuid
from pathlib import Path

import pytest
from poverty_records import base_record
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from server import create_app
from server.audit.models import AuditEvent
from server.core.errors import Problem
from server.core.scoping import unscoped
from server.extensions import db
from server.submissions.models import Attachment, SubmissionVersion
from live_db import TEST_VILLAGES, migrate, new_database

WRITERS = 4
SHARED_PHOTO = b"\xff\xd8\xff\xe0 the village gate, in many records"


def make_app(url: str, folder: Path):
    """An app on `url` whose instance folder (and photos) is `folder`."""
    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(folder), "SECRET_KEY": "backup-test",
                       "TESTING": True, "WTF_CSRF_ENABLED": False})


def run(app, *args):
    """`flask --app server ARGS` against the app; the click result."""
    with app.app_context():  # as the `flask` command pushes it
        result = app.test_cli_runner().invoke(args=[str(a) for a in args])
        db.session.remove()
    return result


def table_counts(url: str) -> dict[str, int]:
    """Rows per table, read with a connection of its own."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            listing = ("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                       if engine.dialect.name == "sqlite" else
                       "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            names = [row[0] for row in conn.execute(text(listing))]
            return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}
    finally:
        engine.dispose()


def photo_post(client, headers, record: dict, photo: bytes):
    """Post a record with its photo in one multipart request."""
    record = dict(record, attachments=[{"name": "house.jpg", "content_type": "image/jpeg",
                                        "sha256": hashlib.sha256(photo).hexdigest()}])
    return client.post("/api/v1/submissions", headers=headers, content_type="multipart/form-data",
                       data={"record": json.dumps(record), "photo": (io.BytesIO(photo), "house.jpg", "image/jpeg")})


def pull_all(client, headers, since="0") -> tuple[list[str], str]:
    """Every form from `since`: their ids and the last cursor."""
    ids = []
    while True:
        body = client.get(f"/api/v1/submissions?since={since}&limit=500", headers=headers).get_json()
        ids += [item["id"] for item in body["items"]]
        since = body["cursor"]
        if not body["more"]:
            return ids, since


@pytest.fixture(scope="module")
def taken(backend, tmp_path_factory):
    """A source database that received records with photos from several threads while `backup` ran.

    Yields the source app, its URL, the officer's token, the backup folder, and the ids acknowledged before the
    backup started, before it ended, and in all."""
    from server.accounts.operations import create_user, issue_token
    from server.places.operations import import_villages, load_province

    tmp = tmp_path_factory.mktemp(f"backup-{backend}")
    url, drop = new_database(backend, tmp)
    try:
        migrate(url)
        app = make_app(url, tmp / "source")
        with app.app_context():
            load_province("20")
            import_villages(TEST_VILLAGES.replace("01273,T-04-01,Tổ Ngoài Tỉnh,50,,1\n", ""), source="tests")
            tokens = {}
            for name, role, unit in (("enum", "enumerator", "T-06529-01"), ("officer", "officer", "20")):
                user = create_user(None, username=name, full_name=name, role=role, unit_code=unit,
                                   password="backup-test-password")
                tokens[name] = {"Authorization": f"Bearer {issue_token(user)[0]}"}
            db.session.commit()
            db.session.remove()

        acked, problems, stop = [], [], threading.Event()

        def write(i):
            client = app.test_client()
            n = 0
            while not stop.is_set():
                photo = SHARED_PHOTO if n % 3 == 0 else f"photo {i}-{n} {uuid.uuid4()}".encode()
                record = base_record(household_code=f"BK-{i}-{n}")
                resp = photo_post(client, tokens["enum"], record, photo)
                if resp.status_code == 201 and resp.get_json()["attachments_missing"] == []:
                    acked.append(record["id"])
                else:
                    problems.append((resp.status_code, resp.get_data(as_text=True)[:300]))
                n += 1

        threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
        for t in threads:
            t.start()
        try:
            _wait_for(lambda: len(acked) >= 20)
            before = set(acked)
            folder = tmp / "backup"
            result = run(app, "backup", folder)
            during = set(acked)
            assert result.exit_code == 0, result.output
            _wait_for(lambda: len(acked) >= len(during) + 10)  # and records keep arriving afterwards
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        assert problems == []
        yield {"app": app, "url": url, "tokens": tokens, "folder": folder, "tmp": tmp, "before": before,
               "during": during, "all": set(acked), "output": result.output}
        app.extensions["rasoat_engine"].dispose()
    finally:
        drop()


def _wait_for(condition, timeout=60.0):
    """Wait until condition() holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def target(backend, tmp_path):
    """Factory: target(migrated=False) → (app, url) on a new database of the same backend."""
    made = []

    def make(migrated=False):
        url, drop = new_database(backend, tmp_path)
        if migrated:
            migrate(url)
        app = make_app(url, tmp_path / f"target-{len(made)}")
        made.append((app, drop))
        return app, url

    yield make
    for app, drop in made:
        app.extensions["rasoat_engine"].dispose()
        drop()


def epoch_of(cursor: str) -> str:
    """The epoch part of a cursor."""
    return cursor.split(".")[0]


def test_a_backup_taken_while_records_arrive_restores_whole_into_a_fresh_database(taken, target):
    manifest = json.loads((taken["folder"] / "manifest.json").read_text())
    assert manifest["revision"] and manifest["attachments"]["missing"] == manifest["attachments"]["damaged"] == []
    app, url = target()
    result = run(app, "restore", taken["folder"])
    assert result.exit_code == 0, result.output

    counts = table_counts(url)
    assert counts.pop("audit_events") == manifest["tables"].pop("audit_events") + 1  # + the restore's entry
    assert counts == manifest["tables"]
    with app.app_context():
        stored = set(db.session.execute(unscoped(select(SubmissionVersion.id), "test")).scalars())
        photos = db.session.execute(unscoped(select(Attachment.sha256), "test")).scalars().all()
        restored = db.session.execute(unscoped(select(AuditEvent).where(AuditEvent.action == "backup.restored"),
                                               "test")).scalar_one()
        photo_path = Path(app.config["ATTACHMENTS_PATH"])
        db.session.remove()
    # Every record acknowledged before the backup began is there; nothing that was never acknowledged is.
    assert taken["before"] <= stored <= taken["all"]
    assert len(stored) == manifest["tables"]["submission_versions"] == manifest["tables"]["submissions"]
    # Every photo a restored row names is on disk with its bytes.
    assert len(photos) == len(stored)
    for sha in photos:
        assert hashlib.sha256((photo_path / sha[:2] / sha).read_bytes()).hexdigest() == sha
    assert restored.actor_name == "cli" and restored.detail["revision"] == manifest["revision"]

    # The restore drew a new epoch: a cursor of the source answers 409 there; a pull from the start has it all.
    officer = taken["tokens"]["officer"]
    _ids, held = pull_all(taken["app"].test_client(), officer)
    client = app.test_client()
    resp = client.get(f"/api/v1/submissions?since={held}", headers=officer)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "cursor_reset"
    ids, fresh = pull_all(client, officer)
    assert set(ids) == stored and len(ids) == len(stored) and epoch_of(fresh) != epoch_of(held)
    # And the restored database takes new records.
    assert client.post("/api/v1/submissions", json=base_record(), headers=taken["tokens"]["enum"]).status_code == 201


def test_a_database_that_is_not_empty_is_replaced_only_with_yes(taken, target):
    app, url = target(migrated=True)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:  # a table of a newer migration: not in the backup, so it goes too
        conn.execute(text("CREATE TABLE from_a_newer_migration (id integer PRIMARY KEY)"))
    engine.dispose()
    refused = run(app, "restore", taken["folder"])
    assert refused.exit_code == 1 and "--yes" in refused.output
    assert "from_a_newer_migration" in table_counts(url)

    assert run(app, "restore", taken["folder"], "--yes").exit_code == 0
    first = table_counts(url)
    assert "from_a_newer_migration" not in first
    with app.app_context():
        epoch1 = db.session.execute(text("SELECT value FROM sync_counters WHERE name = 'epoch'")).scalar_one()
        db.session.remove()
    # The same backup again: the same rows, and yet another epoch (cursors of the first restore are stale too).
    again = run(app, "restore", taken["folder"], "--yes")
    assert again.exit_code == 0, again.output
    second = table_counts(url)
    assert second.pop("audit_events") == first.pop("audit_events") == \
        json.loads((taken["folder"] / "manifest.json").read_text())["tables"]["audit_events"] + 1
    assert second == first
    with app.app_context():
        epoch2 = db.session.execute(text("SELECT value FROM sync_counters WHERE name = 'epoch'")).scalar_one()
        db.session.remove()
    assert epoch2 != epoch1


def test_a_damaged_photo_is_found_before_the_database_changes(taken, target, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(taken["folder"], folder)
    photo = next(p for p in (folder / "attachments").glob("*/*"))
    photo.write_bytes(b"not the photo")
    app, url = target()
    result = run(app, "restore", folder)
    assert result.exit_code == 1 and "manifest.json" in result.output
    assert table_counts(url) == {}


def test_a_row_count_that_differs_from_the_manifest_changes_nothing(taken, target, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(taken["folder"], folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["submissions"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    app, url = target()
    result = run(app, "restore", folder)
    assert result.exit_code == 1 and "submissions" in result.output
    assert table_counts(url) == {}


def test_backup_wants_a_new_or_empty_folder_and_restore_a_backup(taken, target, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    result = run(taken["app"], "backup", tmp_path / "full")
    assert result.exit_code == 1 and "not empty" in result.output
    app, _url = target()
    result = run(app, "restore", tmp_path / "full")
    assert result.exit_code == 1 and "manifest.json" in result.output


def test_the_backup_command_says_what_it_copied_and_the_audit_trail_records_it(taken):
    assert "photos" in taken["output"] and "revision" in taken["output"]
    with taken["app"].app_context():
        made = db.session.execute(unscoped(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "backup.made"), "test")).scalar_one()
        db.session.remove()
    assert made == 1


def test_a_missing_postgresql_tool_names_the_package(monkeypatch):
    from server import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(Problem) as refused:
        backup._pg_tool("postgresql+psycopg://nobody@127.0.0.1:1/none", "pg_dump")
    assert refused.value.code == "backup_tool_missing"
    body = refused.value.to_dict()["message"]
    assert "postgresql-client" in body["en"] and "postgresql-client" in body["vi"] and "pg_dump" in body["en"]


def test_a_pg_dump_older_than_the_server_is_refused(taken, monkeypatch, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's tools only")
    from server import backup

    monkeypatch.setattr(backup, "_version_line", lambda tool: "pg_dump (PostgreSQL) 9.6.24")
    with pytest.raises(Problem) as refused:
        backup._pg_tool(taken["url"], "pg_dump")
    assert refused.value.code == "backup_tool_too_old" and "postgresql-client" in refused.value.to_dict()[
        "message"]["en"]
