"""API client role: `users.role` may be `api_client`, the account of the provincial system's machine (it reads
through the API with tokens an administrator issues; it has no password and never signs in on the web).

Only the CHECK constraint `ck_users_role` changes. On PostgreSQL it is dropped and made again. On SQLite, which
cannot alter a constraint, not in batch mode: that copies `users` into a new table and drops the old one, which,
with foreign keys on, deletes every API token (ON DELETE CASCADE) and is refused for a user who posted a form.
The constraint's text in the schema is rewritten in place instead, SQLite's own procedure for changing a CHECK
constraint (https://sqlite.org/lang_altertable.html#otheralter): no row moves, and the rows are checked against
the new constraint before the transaction ends.

Going down refuses while an API client account exists: deleting it (and the audit trail's references to it) is
a decision for an administrator, not for a migration.

Revision ID: 20261201_08
Revises: 20261201_07
Create Date: 2026-12-01 16:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '20261201_08'
down_revision = '20261201_07'
branch_labels = None
depends_on = None

OLD_ROLES = ("enumerator", "supervisor", "officer", "admin")
NEW_ROLES = (*OLD_ROLES, "api_client")


def _check(roles) -> str:
    """The constraint's condition, as the models write it."""
    return "role IN (%s)" % ", ".join(f"'{r}'" for r in roles)


def _set_roles(old, new) -> None:
    """Make `ck_users_role` allow exactly the roles `new` (it allows `old` now)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f('ck_users_role'), 'users', type_='check')
        op.create_check_constraint(op.f('ck_users_role'), 'users', _check(new))
        return
    before = f"CONSTRAINT ck_users_role CHECK ({_check(old)})"
    after = f"CONSTRAINT ck_users_role CHECK ({_check(new)})"
    schema = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").scalar()
    if schema is None or schema.count(before) != 1:
        raise RuntimeError(f"users: the constraint {before} is not in the schema; it was changed by hand? "
                           f"/ bảng users không có ràng buộc {before}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'users'",
                             (schema.replace(before, after),))
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")  # every connection reads it again
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = [row[0] for row in bind.exec_driver_sql("PRAGMA integrity_check(users)")]
    if problems != ["ok"]:
        raise RuntimeError(f"users after changing ck_users_role: {problems}")


def upgrade() -> None:
    _set_roles(OLD_ROLES, NEW_ROLES)


def downgrade() -> None:
    clients = op.get_bind().execute(sa.text(
        "SELECT username FROM users WHERE role = 'api_client' ORDER BY username")).scalars().all()
    if clients:
        raise RuntimeError(
            f"Cannot go below 20261201_08 while API client accounts exist: {', '.join(clients)}. Delete them or "
            "give them another role first. / Không thể hạ xuống dưới 20261201_08 khi còn tài khoản hệ thống kết "
            f"nối (máy): {', '.join(clients)}. Hãy xoá hoặc đổi vai trò của chúng trước.")
    _set_roles(NEW_ROLES, OLD_ROLES)
