"""Backups: one consistent copy of the database and its photos, taken while the server runs, and its restore.

    flask --app server backup DIR            DIR is created (or must be empty)
    flask --app server restore DIR [--yes]   into the configured database: an empty one, or replaced with --yes

A backup folder holds the database (`database.sqlite3`, copied with SQLite's online backup API, or
`database.dump`, `pg_dump --format=custom` of one snapshot), the photos its rows name (`attachments/`, laid out
as under ATTACHMENTS_PATH, each checked against its SHA-256 when copied) and `manifest.json`, written last: the
schema revision, the rows of every table in the same snapshot, the photos, the time. A folder without a manifest
is not a backup.

The database is copied before the photos: a photo's file is written before its row is committed
(server.submissions.attachments), so every photo the copied rows name is on disk by then. Photos never change
(they are named by their hash), so copying them later is enough.

A restore changes the database in one transaction, after the photos are in place. SQLite: the backup is copied
to a scratch file beside the database, checked against the manifest, given a new sync cursor epoch, then copied
over the database with the backup API. PostgreSQL: the dump is replayed (`pg_restore --clean --if-exists` into
`psql`) inside one BEGIN … COMMIT that also checks every table's rows against the manifest and sets the new epoch;
COMMIT is sent only once pg_restore has succeeded. Either all of the backup arrives with a new epoch, or nothing
changes. The new epoch turns every sync cursor handed out before the restore into a 409 `cursor_reset`
(server.submissions.history): a phone pulls again from the start instead of skipping the changes renumbered
after the backup.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from server.core.db import utcnow
from server.core.errors import Problem
from server.extensions import db

MANIFEST = "manifest.json"
FORMAT = 1
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
PHOTOS = "attachments"
# The Debian/Ubuntu package that holds pg_dump, pg_restore and psql.
PG_PACKAGE = "postgresql-client"
_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
}


@dataclass
class Snapshot:
    """What one consistent view of the database holds: its revision, rows per table, photos named."""

    revision: str | None
    tables: dict[str, int]
    photos: dict[str, int]  # sha256 → size in bytes


def make_backup(directory: Path) -> dict:
    """Back up the configured database and its photos into `directory`; return the manifest written."""
    url, photos_path = _configured()
    directory = Path(directory)
    backend = backend_of(url)
    pg_dump = _pg_tool(url, "pg_dump") if backend == "postgresql" else None
    _new_folder(directory)
    try:
        database = directory / DATABASE_FILES[backend]
        if backend == "sqlite":
            snapshot, tool = _backup_sqlite(url, database), f"sqlite {sqlite3.sqlite_version}"
        else:
            snapshot, tool = _backup_postgresql(url, database, pg_dump), _version_line(pg_dump)
        copied, size, missing, damaged = 0, 0, [], []
        for sha, _size in sorted(snapshot.photos.items()):
            source = photos_path / sha[:2] / sha
            if not source.is_file():
                missing.append(sha)
            elif _copy_checked(source, directory / PHOTOS / sha[:2] / sha, sha):
                copied, size = copied + 1, size + source.stat().st_size
            else:
                damaged.append(sha)
    except BaseException:
        # Not a backup: leave the folder as empty as it was found.
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)
        raise
    manifest = {
        "format": FORMAT, "kind": "rasoat-backup", "created_at": utcnow().isoformat(timespec="seconds"),
        "backend": backend, "database": database.name, "tool": tool, "revision": snapshot.revision,
        "tables": snapshot.tables,
        # Photos the rows name but the disk lacks, or holds with other bytes, are listed and left out.
        "attachments": {"files": copied, "bytes": size, "missing": missing, "damaged": damaged},
    }
    _write_durably(directory / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
    return manifest


def restore_backup(directory: Path, *, replace: bool = False) -> dict:
    """Restore the backup in `directory` into the configured database, with a new sync cursor epoch, and record it
    in the audit trail (the caller commits). A database that is not empty is replaced only when `replace`."""
    from server.audit.operations import record_event
    from server.submissions.history import random_epoch

    url, photos_path = _configured()
    directory = Path(directory)
    manifest = read_manifest(directory)
    backend = backend_of(url)
    if manifest["backend"] != backend:
        raise Problem("backup_wrong_backend", backup=manifest["backend"], configured=backend)
    tools = [_pg_tool(url, "pg_restore"), _pg_tool(url, "psql")] if backend == "postgresql" else []
    live = _live_tables(url, backend)
    if live and not replace:
        raise Problem("restore_target_not_empty")
    photos = _restore_photos(directory / PHOTOS, photos_path, manifest["attachments"]["files"])
    epoch = random_epoch() if "sync_counters" in manifest["tables"] else None
    if backend == "sqlite":
        _restore_sqlite(directory / manifest["database"], url, manifest["tables"], epoch)
    else:
        leftovers = sorted(set(live) - set(manifest["tables"]))
        _restore_postgresql(directory / manifest["database"], url, manifest["tables"], epoch, leftovers, *tools)
    report = {"backup": str(directory.resolve()), "created_at": manifest["created_at"],
              "revision": manifest["revision"], "replaced": bool(live), "photos_copied": photos,
              "epoch": None if epoch is None else f"{epoch:x}"}
    report["upgrade_needed"] = manifest["revision"] != _head_revision(url)
    try:
        with db.session.begin_nested():
            record_event("backup.restored", None, actor_name="cli", target_type="backup",
                         target_id=report["backup"], **{k: v for k, v in report.items() if k != "backup"})
        report["audited"] = True
    except SQLAlchemyError:  # the audit trail of a backup of another schema may not take the entry: say so
        report["audited"] = False
    return report


def read_manifest(directory: Path) -> dict:
    """The manifest of a complete backup folder, or a `backup_not_found` problem."""
    try:
        manifest = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
        if not (manifest.get("kind") == "rasoat-backup" and manifest.get("format") == FORMAT
                and manifest.get("backend") in DATABASE_FILES
                and manifest.get("database") == DATABASE_FILES[manifest["backend"]]
                and isinstance(manifest.get("tables"), dict)
                and isinstance(manifest.get("attachments", {}).get("files"), int)):
            raise ValueError("not a RaSoat backup manifest of a known format")
    except (OSError, ValueError, AttributeError, TypeError):
        raise Problem("backup_not_found", path=str(directory)) from None
    return manifest


def backend_of(url: str) -> str:
    """"sqlite" or "postgresql": the backends that can be backed up."""
    name = make_url(url).get_backend_name()
    if name not in DATABASE_FILES or (name == "sqlite" and not make_url(url).database):
        raise Problem("backup_failed", detail=f"unsupported database {make_url(url).render_as_string()}")
    return name


# ------------------------------------------------------------------------------------------------------ SQLite


def _backup_sqlite(url: str, target: Path) -> Snapshot:
    """Copy the live database with SQLite's backup API, in one step: one snapshot, writers carry on (WAL)."""
    path = _sqlite_path(url)
    if not path.is_file():
        raise Problem("backup_failed", detail=f"{path} does not exist")
    source = sqlite3.connect(path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        snapshot = _snapshot(lambda sql: copy.execute(sql).fetchall(), "sqlite")
    finally:
        copy.close()
        source.close()
    _fsync(target)
    return snapshot


def _restore_sqlite(backup: Path, url: str, expected: dict[str, int], epoch: int | None) -> None:
    """Check the backup in a scratch copy, give it the new epoch, then copy it over the database in one step."""
    path = _sqlite_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.restore-{secrets.token_hex(4)}")
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        work = sqlite3.connect(scratch)
        try:
            source.backup(work)
            source.close()
            if work.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise Problem("backup_damaged", detail=f"{backup.name}: PRAGMA quick_check")
            _compare(_snapshot(lambda sql: work.execute(sql).fetchall(), "sqlite").tables, expected)
            if epoch is not None:
                work.execute("UPDATE sync_counters SET value = ? WHERE name = 'epoch'", (epoch,))
                work.commit()
            live = sqlite3.connect(path, timeout=30)
            try:
                work.backup(live)
            finally:
                live.close()
        finally:
            work.close()
    except sqlite3.Error as e:
        raise Problem("restore_failed", detail=f"sqlite: {e}") from None
    finally:
        for leftover in (scratch, scratch.with_name(scratch.name + "-journal")):
            leftover.unlink(missing_ok=True)


def _sqlite_path(url: str) -> Path:
    """The file of a SQLite URL."""
    return Path(make_url(url).database)


# -------------------------------------------------------------------------------------------------- PostgreSQL


def _backup_postgresql(url: str, target: Path, pg_dump: str) -> Snapshot:
    """pg_dump of a snapshot exported by a transaction that counts the rows in that same snapshot."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                                postgresql_readonly=True) as conn, conn.begin():
            exported = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            snapshot = _snapshot(lambda sql: conn.execute(text(sql)).all(), "postgresql")
            conninfo, env = _libpq(url)
            _run([pg_dump, "--format=custom", f"--snapshot={exported}", f"--file={target}", "--no-password",
                  f"--dbname={conninfo}"], env, "backup_failed")
    finally:
        engine.dispose()
    _fsync(target)
    return snapshot


def _restore_postgresql(dump: Path, url: str, expected: dict[str, int], epoch: int | None, leftovers: list[str],
                        pg_restore: str, psql: str) -> None:
    """Replay the dump into psql inside one transaction, committed only if pg_restore succeeded and every table
    holds the rows the manifest says."""
    conninfo, env = _libpq(url)
    head = "BEGIN;\n" + "".join(f"DROP TABLE IF EXISTS {_ident(t)} CASCADE;\n" for t in leftovers)
    checks = "".join(
        f"  SELECT count(*) INTO n FROM {_ident(t)}; IF n <> {int(rows)} THEN RAISE EXCEPTION "
        f"'table % holds % rows, the manifest says {int(rows)}', {_literal(t)}, n; END IF;\n"
        for t, rows in sorted(expected.items()))
    # pg_restore's script empties search_path; the app's tables are found as the app finds them.
    tail = "RESET search_path;\n"
    if checks:
        tail += f"DO $rasoat$\nDECLARE n bigint;\nBEGIN\n{checks}END $rasoat$;\n"
    if epoch is not None:
        tail += f"UPDATE sync_counters SET value = {int(epoch)} WHERE name = 'epoch';\n"
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        player = subprocess.Popen([psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={conninfo}"],
                                  stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        reader = subprocess.Popen([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                   "--file=-", str(dump)], stdout=subprocess.PIPE, stderr=restore_err, env=env)
        try:
            player.stdin.write(head.encode())
            shutil.copyfileobj(reader.stdout, player.stdin, 1 << 16)
            read_ok = reader.wait() == 0
            player.stdin.write((tail + "COMMIT;\n" if read_ok else "ROLLBACK;\n").encode())
            player.stdin.close()
        except BrokenPipeError:  # psql stopped at an error: its transaction is rolled back
            read_ok = False
        finally:
            if reader.poll() is None:
                reader.kill()
            reader.wait()
            reader.stdout.close()
            with contextlib.suppress(BrokenPipeError):
                player.stdin.close()
            played_ok = player.wait() == 0
        if not (read_ok and played_ok):
            errors = (_tail(psql_err) + "\n" + _tail(restore_err)).strip()
            raise Problem("restore_failed", detail=errors or f"pg_restore exit {reader.returncode}, psql exit "
                                                           f"{player.returncode}")


def _pg_tool(url: str, name: str) -> str:
    """The path of a PostgreSQL client tool, checked to be at least as new as the server."""
    path = shutil.which(name)
    if path is None:
        raise Problem("backup_tool_missing", tool=name, package=PG_PACKAGE)
    line = _version_line(path)
    found = re.search(r"\(PostgreSQL\) (\d+)", line)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            server = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()
    if found is None or int(found[1]) < server:
        raise Problem("backup_tool_too_old", tool=name, version=line, server=server, package=PG_PACKAGE)
    return path


def _version_line(tool: str) -> str:
    """What `tool --version` says, e.g. "pg_dump (PostgreSQL) 15.20"."""
    done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or done.stderr.strip()


def _libpq(url: str) -> tuple[str, dict]:
    """A libpq connection URI for the PostgreSQL tools and their environment; the password goes in PGPASSWORD so
    that it never shows in the process list."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(cmd: list[str], env: dict, code: str) -> None:
    """Run a tool; a failure is the problem `code` with the end of what the tool said."""
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise Problem(code, detail=done.stderr.strip()[-800:] or f"{Path(cmd[0]).name} exit {done.returncode}")


def _ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    """A quoted SQL string."""
    return "'" + value.replace("'", "''") + "'"


def _tail(fh) -> str:
    """The end of what a tool wrote to a temporary file."""
    fh.seek(0)
    return fh.read().decode(errors="replace").strip()[-800:]


# ------------------------------------------------------------------------------------------------------ common


def _head_revision(url: str) -> str:
    """The newest schema revision of the code's migrations."""
    from alembic.script import ScriptDirectory

    from server.cli import alembic_config

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def _configured() -> tuple[str, Path]:
    """The configured database URL and photo folder."""
    return current_app.config["DATABASE_URL"], Path(current_app.config["ATTACHMENTS_PATH"])


def _snapshot(query, backend: str) -> Snapshot:
    """Revision, rows per table and the photos named, read through `query(sql) → rows` in one snapshot."""
    tables = sorted(row[0] for row in query(_TABLES[backend]))
    counts = {t: int(query(f"SELECT count(*) FROM {_ident(t)}")[0][0]) for t in tables}
    revision = None
    if "alembic_version" in counts:
        revision = ",".join(sorted(row[0] for row in query("SELECT version_num FROM alembic_version"))) or None
    photos = {}
    if "attachments" in counts:
        photos = {sha: int(size) for sha, size in query("SELECT DISTINCT sha256, size_bytes FROM attachments")}
    return Snapshot(revision, counts, photos)


def _compare(found: dict[str, int], expected: dict[str, int]) -> None:
    """Refuse a database whose tables or rows differ from the manifest's."""
    if found != expected:
        diff = ", ".join(f"{t}: {found.get(t, '-')} ≠ {expected.get(t, '-')}"
                         for t in sorted(set(found) | set(expected)) if found.get(t) != expected.get(t))
        raise Problem("backup_damaged", detail=diff)


def _live_tables(url: str, backend: str) -> list[str]:
    """The tables the configured database holds now (none: it is empty)."""
    if backend == "sqlite" and not _sqlite_path(url).exists():
        return []
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return sorted(row[0] for row in conn.execute(text(_TABLES[backend])))
    finally:
        engine.dispose()


def _restore_photos(source: Path, target: Path, expected: int) -> int:
    """Copy the backup's photos under ATTACHMENTS_PATH (checked against their names); return how many were new."""
    files = sorted(p for p in source.glob("*/*") if p.is_file()) if source.is_dir() else []
    if len(files) != expected:
        raise Problem("backup_damaged", detail=f"{PHOTOS}: {len(files)} ≠ {expected}")
    copied = 0
    for path in files:
        final = target / path.parent.name / path.name
        if final.is_file() and final.stat().st_size == path.stat().st_size:
            continue  # named by its hash: the same photo
        if not _copy_checked(path, final, path.name):
            raise Problem("backup_damaged", detail=f"{PHOTOS}/{path.parent.name}/{path.name}: sha256")
        copied += 1
    return copied


def _copy_checked(source: Path, final: Path, sha256: str) -> bool:
    """Copy a photo durably (temporary name, fsync, rename) if its bytes hash to `sha256`; False if they do not."""
    final.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".copy-")
    try:
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        if digest.hexdigest() != sha256:
            Path(tmp).unlink()
            return False
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _new_folder(directory: Path) -> None:
    """Create the backup folder; refuse one that already holds files."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise Problem("backup_folder_not_empty", path=str(directory))
    directory.mkdir(parents=True, exist_ok=True)


def _write_durably(path: Path, data: bytes) -> None:
    """Write a file under a temporary name, fsync it and rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync(path.parent)


def _fsync(path: Path) -> None:
    """Flush a file or a folder to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
