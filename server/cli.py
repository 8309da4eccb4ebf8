"""Command-line tasks: `flask --app server <command>`. Each command is one transaction."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from config.settings import ROOT
from server.core.errors import Problem
from server.core.requests import fail_command
from server.extensions import db

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


def alembic_config(url: str):
    """An Alembic configuration for RaSoat's migrations against `url`."""
    from alembic.config import Config

    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str):
    """Migrate the database up to REVISION (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str):
    """Migrate the database down to REVISION ("base" empties it)."""
    from alembic import command

    command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db_cli.command("current")
def db_current():
    """Print the database's current revision."""
    from alembic import command

    command.current(alembic_config(current_app.config["DATABASE_URL"]))


_fail = fail_command  # undo, print the problem in both languages, exit 1


@click.command("load-places")
@click.option("--province", default=None, help="Province code (default: PROVINCE_CODE, 20 = Lạng Sơn).")
def load_places(province: str | None):
    """Load the province and its communes from the vietnam-provinces package (safe to repeat)."""
    from server.audit.operations import record_event
    from server.places.operations import load_province

    code = province or current_app.config["PROVINCE_CODE"]
    try:
        report = load_province(code)
    except Problem as problem:
        _fail(problem)
    record_event("load_places", None, actor_name="cli", unit_code=f"{int(code):02d}", created=report.created,
                 updated=report.updated)
    db.session.commit()
    click.echo(f"places: {report.created} created, {report.updated} updated")


def _import(kind: str, path: str) -> None:
    """Run an all-or-nothing CSV import and report it."""
    from server.places.operations import import_file

    try:
        report = import_file(kind, Path(path).read_bytes(), source=Path(path).name)
    except Problem as problem:
        _fail(problem)
    db.session.commit()
    click.echo(f"{kind}: {report.rows} rows, {report.created} created, {report.updated} updated")


@click.command("import-villages")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_villages(path: str):
    """Import villages from a CSV file; nothing is written when any row is bad."""
    _import("villages", path)


@click.command("import-commune-mapping")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_commune_mapping(path: str):
    """Import the old → new commune mapping from a CSV file; all rows or none."""
    _import("mapping", path)


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True,
              type=click.Choice(["enumerator", "supervisor", "officer", "admin", "api_client"]))
@click.option("--unit", "unit_code", required=True, help="Code of the unit the user is scoped to.")
@click.option("--name", "full_name", default="", help="Full name (default: the username).")
def create_user(username: str, role: str, unit_code: str, full_name: str):
    """Create a user; the password comes from RASOAT_NEW_PASSWORD or a prompt (an api_client has none: give it a
    token with `flask --app server api-client-token USERNAME`)."""
    from server.accounts.operations import create_user as create

    password = None if role == "api_client" else os.environ.get("RASOAT_NEW_PASSWORD") or click.prompt(
        "Password / Mật khẩu", hide_input=True, confirmation_prompt=True)
    try:
        user = create(None, username=username, full_name=full_name or username, role=role, unit_code=unit_code,
                      password=password)
    except Problem as problem:
        _fail(problem)
    db.session.commit()
    click.echo(f"user {user.username} created ({role}, {user.unit_code}) / đã tạo người dùng {user.username}")


@click.command("api-client-token")
@click.argument("username")
@click.option("--label", default="", help="Where the token is used (default: empty).")
@click.option("--days", type=click.IntRange(1, 366), default=None,
              help="Days the token is valid (default: API_TOKEN_DAYS).")
def api_client_token(username: str, label: str, days: int | None):
    """Issue a token for an API client account (the provincial system's machine) and print it, once."""
    from server.accounts.operations import find_user, issue_client_token
    from server.core.roles import API_CLIENT
    from server.core.db import writing
    from server.core.requests import undo_request_work

    with writing():
        user = find_user(username)
        if user is None or user.role != API_CLIENT:
            undo_request_work()
            click.echo(f"{username} không phải tài khoản hệ thống kết nối (máy); chỉ tài khoản đó nhận mã truy cập "
                       f"ở đây (tạo bằng trang quản trị người dùng). / {username} is not an API client (machine) "
                       "account; only such an account gets a token here (create it on the users admin page).",
                       err=True)
            sys.exit(2)
        try:
            token, row = issue_client_token(None, user, label, days)
        except Problem as problem:
            _fail(problem)
        db.session.commit()
    click.echo(token)
    click.echo(f"token for / mã truy cập cho {user.username} ({user.unit_code}), expires / hết hạn "
               f"{row.expires_at.isoformat()}: shown only this once / chỉ hiện một lần này", err=True)


@click.command("bootstrap-admin")
def bootstrap_admin():
    """If no administrator exists, create `admin` with a one-time password and print how to log in."""
    from server.accounts.models import User
    from server.accounts.operations import create_user as create
    from server.core.scoping import unscoped

    # A disabled administrator cannot log in, so only an enabled one counts.
    exists = db.session.execute(unscoped(select(User.id).where(User.role == "admin", User.is_enabled.is_(True)),
                                         "bootstrap")).first()
    if exists:
        click.echo("An administrator exists: log in with that account. / Đã có quản trị viên: hãy đăng nhập bằng "
                   "tài khoản đó.")
        return
    password = secrets.token_urlsafe(12)
    try:
        create(None, username="admin", full_name="Quản trị viên", role="admin",
               unit_code=current_app.config["PROVINCE_CODE"], password=password, must_change_password=True)
    except Problem as problem:
        _fail(problem)
    db.session.commit()
    click.echo("First administrator / Quản trị viên đầu tiên:")
    click.echo("  username / tên đăng nhập: admin")
    click.echo(f"  one-time password / mật khẩu dùng một lần: {password}")
    click.echo("  You must choose a new password at the first login. / Phải đổi mật khẩu khi đăng nhập lần đầu.")


@click.command("load-demo")
@click.option("--reset-passwords", is_flag=True,
              help="Give the demo users that exist already new passwords (printed); by default they keep theirs.")
def load_demo(reset_passwords: bool):
    """Load clearly-labelled demo villages, users and households (never loaded by default; safe to repeat)."""
    from server.core.db import writing
    from server.demo import load_demo_data

    try:
        with writing():
            report = load_demo_data(reset_passwords=reset_passwords)
            db.session.commit()
    except Problem as problem:
        _fail(problem)
    for line in report.lines():
        click.echo(line)


@click.command("reclassify")
@click.option("--year", "review_year", type=int, default=None, help="Only records of this review year.")
@click.option("--rule-set", default=None, help="Classify under this rule set (default: each record's year's).")
@click.option("--include-recognised", is_flag=True,
              help="Also records already recognised by a commune decision (kept by default).")
def reclassify(review_year: int | None, rule_set: str | None, include_recognised: bool):
    """Classify stored household records again after a rule set changed; each change is recorded."""
    from server.core.db import writing
    from server.poverty import RuleSetError, load_rule_set
    from server.submissions.operations import reclassify as run

    if rule_set:
        try:
            load_rule_set(rule_set)
        except RuleSetError as e:
            click.echo(f"{e.message['vi']} / {e.message['en']}", err=True)
            sys.exit(2)
    with writing():
        report = run(review_year=review_year, rule_set=rule_set, include_recognised=include_recognised)
        db.session.commit()
    click.echo(f"checked / đã kiểm: {report['checked']}, changed / thay đổi: {report['changed']}, "
               f"unchanged / giữ nguyên: {report['unchanged']}, failed / lỗi: {len(report['failed'])}, "
               f"recognised kept / giữ theo quyết định: {report['skipped_recognised']}")
    for failure in report["failed"]:
        paths = ", ".join(f["path"] for f in failure["fields"])
        click.echo(f"  {failure['id']}: {paths}", err=True)
    sys.exit(1 if report["failed"] else 0)


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
def backup(directory: str):
    """Back up the database and the photos into DIRECTORY (new or empty) while the server runs."""
    from server.audit.operations import record_event
    from server.backup import make_backup
    from server.core.db import writing

    try:
        manifest = make_backup(Path(directory))
    except Problem as problem:
        _fail(problem)
    photos = manifest["attachments"]
    with writing():
        record_event("backup.made", None, actor_name="cli", target_type="backup",
                     target_id=str(Path(directory).resolve()), revision=manifest["revision"], photos=photos["files"],
                     photos_missing=len(photos["missing"]), photos_damaged=len(photos["damaged"]))
        db.session.commit()
    tables = manifest["tables"]
    click.echo(f"backup / sao lưu: {directory} (revision {manifest['revision']}, "
               f"{tables.get('submissions', 0)} forms / phiếu, {tables.get('submission_versions', 0)} versions / "
               f"bản, {photos['files']} photos / ảnh, {photos['bytes']:,} bytes)")
    for what, names in (("missing / thiếu", photos["missing"]), ("damaged / hỏng", photos["damaged"])):
        if names:
            click.echo(f"  photos {what}, not in the backup / ảnh không có trong bản sao lưu: {len(names)}: "
                       f"{', '.join(names[:10])}{' …' if len(names) > 10 else ''}", err=True)


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Replace the configured database when it is not empty.")
def restore(directory: str, yes: bool):
    """Restore a backup made by `backup` into the configured database (empty, or replaced with --yes)."""
    from server.backup import restore_backup
    from server.core.db import writing

    with writing():
        try:
            report = restore_backup(Path(directory), replace=yes)
        except Problem as problem:
            _fail(problem)
        db.session.commit()
    click.echo(f"restored / đã khôi phục: {directory} (made / sao lưu lúc {report['created_at']}, revision "
               f"{report['revision']}); new sync cursor epoch / kỷ nguyên con trỏ mới: {report['epoch']}: phones "
               "pull again from the start / điện thoại tải lại từ đầu")
    if report["upgrade_needed"]:
        click.echo("  The backup's schema is not the newest: run `flask --app server db upgrade`. / Lược đồ của bản "
                   "sao lưu chưa mới nhất: hãy chạy `flask --app server db upgrade`.", err=True)
    if not report["audited"]:
        click.echo("  The audit trail could not record the restore. / Nhật ký kiểm tra chưa ghi được việc khôi phục.",
                   err=True)


def init_app(app) -> None:
    """Register the commands."""
    app.cli.add_command(db_cli)
    for command in (load_places, import_villages, import_commune_mapping, create_user, api_client_token,
                    bootstrap_admin, load_demo, reclassify):
        app.cli.add_command(command)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
