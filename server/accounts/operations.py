"""Account operations: users, passwords, logins with throttling, API tokens. They flush and audit, never commit."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select
from werkzeug.security import check_password_hash, generate_password_hash

from server.accounts import throttling
from server.accounts.models import ApiToken, User
from server.audit.operations import record_event
from server.core.db import utcnow, will_write
from server.core.errors import Problem, field_error
from server.core.roles import API_CLIENT, ROLE_NAMES, ROLES
from server.core.scoping import can_access, unscoped
from server.extensions import db
from server.places.models import Unit

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
USERNAME = re.compile(r"^[a-z0-9._-]{3,64}$")
FULL_NAME_MAX = 200
# Levels of unit each role may be scoped to: a cadre works in a village (or a whole commune), a supervisor in a
# commune, an officer for the province; an administrator manages a province or one commune; an API client (the
# provincial system's machine) reads the province, or one commune.
ROLE_LEVELS = {
    "enumerator": ("village", "commune"),
    "supervisor": ("commune",),
    "officer": ("province",),
    "admin": ("province", "commune"),
    "api_client": ("province", "commune"),
}
# The password hash of an API client: not of the form `method$salt$hash`, so no password ever matches it.
NO_PASSWORD = "!api-client:no-password"
# How long a token an administrator issues may last, in days.
MAX_TOKEN_DAYS = 366
# Computed once, so a login for an unknown username costs the same as one with a wrong password.
_DUMMY_HASH = generate_password_hash("rasoat-timing-equaliser")


def hash_password(password: str) -> str:
    """Hash a password with scrypt (a memory-hard KDF), refusing short ones."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Problem("password_too_weak", min=MIN_PASSWORD_LENGTH, fields=[field_error(
            "password", f"Ít nhất {MIN_PASSWORD_LENGTH} ký tự.", f"At least {MIN_PASSWORD_LENGTH} characters.")])
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Problem("validation_failed", fields=[field_error(
            "password", f"Mật khẩu dài quá {MAX_PASSWORD_LENGTH} ký tự.",
            f"The password is longer than {MAX_PASSWORD_LENGTH} characters.")])
    return generate_password_hash(password, method="scrypt")


def get_unit(code: str) -> Unit:
    """The unit with this code, or a problem naming it."""
    unit = db.session.get(Unit, code)
    if unit is None:
        raise Problem("unit_unknown", unit=code, fields=[field_error(
            "unit", f"Không có đơn vị mã {code}.", f"There is no unit with code {code}.")])
    return unit


LEVEL_NAMES = {"province": ("tỉnh", "province"), "commune": ("xã/phường", "commune"), "village": ("thôn", "village")}


def _check_role_unit(role: str, unit: Unit) -> None:
    """Refuse an unknown role, or a role scoped to a unit of the wrong level."""
    if role not in ROLES:
        raise Problem("validation_failed", fields=[field_error(
            "role", f"Vai trò '{role}' không có; chọn một trong {', '.join(ROLES)}.",
            f"There is no role '{role}'; choose one of {', '.join(ROLES)}.")])
    if unit.level not in ROLE_LEVELS[role]:
        allowed = ROLE_LEVELS[role]
        role_vi, role_en = ROLE_NAMES[role]
        raise Problem("role_scope_mismatch", role=role_en, role_vi=role_vi, level=unit.level,
                      level_vi=LEVEL_NAMES[unit.level][0], fields=[field_error(
            "unit", f"Đơn vị {unit.code} là cấp {LEVEL_NAMES[unit.level][0]}; vai trò {role_vi} cần đơn vị cấp "
                    f"{' hoặc '.join(LEVEL_NAMES[lv][0] for lv in allowed)}.",
            f"Unit {unit.code} is a {unit.level}; the role {role_en} needs a {' or '.join(allowed)}.")])


def _check_in_area(actor, unit: Unit) -> None:
    """Refuse a unit outside the acting user's area (no actor: the command line, which may act anywhere)."""
    if actor is not None and not can_access(actor, unit.code):
        raise Problem("out_of_scope", unit=unit.code, fields=[field_error(
            "unit", f"Đơn vị {unit.code} nằm ngoài địa bàn được giao cho bạn.",
            f"Unit {unit.code} is outside your assigned area.")])


def _check_names(username: str | None, full_name: str) -> None:
    """Refuse a username other than 3-64 letters, digits, '.', '-', '_', or an over-long full name."""
    fields = []
    if username is not None and not USERNAME.match(username):
        fields.append(field_error(
            "username", "Tên đăng nhập phải có 3-64 ký tự: chữ không dấu, số, '.', '-', '_'.",
            "The username must be 3-64 characters: letters without accents, digits, '.', '-' or '_'."))
    if len(full_name) > FULL_NAME_MAX:
        fields.append(field_error("full_name", f"Họ tên dài quá {FULL_NAME_MAX} ký tự.",
                                  f"The full name is longer than {FULL_NAME_MAX} characters."))
    if fields:
        raise Problem("validation_failed", fields=fields)


def find_user(username: str) -> User | None:
    """The user with this username (case-insensitive), for login: a system read."""
    stmt = unscoped(select(User).where(User.username == username.strip().lower()), "login lookup")
    return db.session.execute(stmt).scalar_one_or_none()


def _refuse_client_password() -> None:
    """Refuse a password for an API client: it has none, so nobody can sign in as the machine."""
    raise Problem("validation_failed", fields=[field_error(
        "password", "Tài khoản hệ thống kết nối (máy) không có mật khẩu: để trống; mã truy cập do quản trị viên cấp.",
        "An API client (machine) has no password: leave it empty; an administrator issues its tokens.")])


def create_user(actor, *, username: str, full_name: str, role: str, unit_code: str, password: str | None,
                must_change_password: bool = False, is_enabled: bool = True) -> User:
    """Create a user; the actor (None for the command line) must have the new user's unit in their area. An API
    client gets no password (a hash no password matches) and nothing to change at a first sign-in."""
    username = username.strip().lower()  # stored lower-case, so the unique constraint is case-insensitive
    full_name = " ".join(full_name.split())
    _check_names(username, full_name)
    unit = get_unit(unit_code)
    _check_role_unit(role, unit)
    _check_in_area(actor, unit)
    if role == API_CLIENT and password:
        _refuse_client_password()
    if find_user(username) is not None:
        raise Problem("username_taken", username=username,
                      fields=[field_error("username", "Đã có người dùng.", "Already taken.")])
    machine = role == API_CLIENT
    user = User(username=username, full_name=full_name or username, role=role, unit_code=unit.code,
                password_hash=NO_PASSWORD if machine else hash_password(password or ""),
                must_change_password=must_change_password and not machine, is_enabled=is_enabled)
    db.session.add(user)
    db.session.flush()
    record_event("user_created", actor, target_type="user", target_id=user.id, unit_code=unit.code,
                 username=username, role=role)
    return user


def update_user(actor, user: User, *, full_name: str, role: str, unit_code: str, is_enabled: bool) -> User:
    """Change a user's name, role, area or enabled state; disabling revokes their tokens. An administrator cannot
    disable themselves or give up their own role, so an installation is never left without one."""
    full_name = " ".join(full_name.split())
    _check_names(None, full_name)
    unit = get_unit(unit_code)
    _check_role_unit(role, unit)
    _check_in_area(actor, unit)
    if actor is not None and actor.id == user.id and (not is_enabled or role != user.role):
        raise Problem("validation_failed", fields=[field_error(
            "is_enabled" if not is_enabled else "role",
            "Bạn không thể tự khoá tài khoản hay đổi vai trò của chính mình.",
            "You cannot disable your own account or change your own role.")])
    if (role == API_CLIENT) != (user.role == API_CLIENT):
        # A person's password would stay on a machine, or a person would be left without one: make a new account.
        raise Problem("validation_failed", fields=[field_error(
            "role", "Không thể đổi giữa tài khoản hệ thống kết nối (máy) và tài khoản người dùng: hãy tạo tài khoản "
                    "mới.",
            "An account cannot change between an API client (machine) and a person's role: create a new account.")])
    before = {"full_name": user.full_name, "role": user.role, "unit_code": user.unit_code,
              "is_enabled": user.is_enabled}
    user.full_name = full_name or user.username
    user.role, user.unit_code, user.is_enabled = role, unit.code, is_enabled
    if not is_enabled:
        revoke_all_tokens(user)
    db.session.flush()
    after = {"full_name": user.full_name, "role": role, "unit_code": unit.code, "is_enabled": is_enabled}
    record_event("user_updated", actor, target_type="user", target_id=user.id, unit_code=unit.code,
                 before=before, after=after)
    return user


def set_password(actor, user: User, password: str, *, must_change: bool = False) -> None:
    """Set a new password; a user changing their own clears the must-change flag. The old password may be known to
    someone else, so every web session of the user ends and every API token is revoked; a user changing their own
    stays signed in in the browser they changed it from (the view stamps the new session version there). An API
    client has no password to set."""
    if user.role == API_CLIENT:
        _refuse_client_password()
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    revoked = revoke_all_tokens(user)
    end_sessions(user)
    record_event("password_changed", actor, target_type="user", target_id=user.id, unit_code=user.unit_code,
                 tokens_revoked=revoked, sessions_ended=True)


def end_sessions(user: User) -> None:
    """End every web session of the user: a cookie stamped with the old session version no longer signs in."""
    user.session_version = User.session_version + 1  # in SQL, so two at once both count
    db.session.flush()


def lock_user(actor, user: User) -> None:
    """Refuse signing in with the user's password until an administrator unlocks it (an account under attack).
    Sessions and phone tokens already open keep working: to end them, reset the password or disable the user."""
    _check_in_area(actor, user.unit)
    if actor is not None and actor.id == user.id:
        raise Problem("validation_failed", fields=[field_error(
            "locked", "Bạn không thể tự khóa đăng nhập của chính mình.", "You cannot lock your own sign-in.")])
    if user.locked_at is None:
        user.locked_at = utcnow()
        db.session.flush()
        record_event("user_locked", actor, target_type="user", target_id=user.id, unit_code=user.unit_code)


def unlock_user(actor, user: User) -> None:
    """Allow signing in again, and forget the sign-in delays of the user's name from every address."""
    _check_in_area(actor, user.unit)
    # The throttle rows before the user's row: a sign-in locks them in that order too (no deadlock).
    cleared = throttling.forget_username(user.username)
    was_locked = user.locked_at is not None
    user.locked_at = None
    db.session.flush()
    record_event("user_unlocked", actor, target_type="user", target_id=user.id, unit_code=user.unit_code,
                 was_locked=was_locked, delays_cleared=cleared)


def authenticate(username: str, password: str, ip: str) -> User:
    """Check a login under the sign-in throttle (server/accounts/throttling.py): a (username, address) pair or an
    address that must wait is refused before the password is checked, and so is an account an administrator
    locked. Every failure is counted and audited; the caller's transaction must be committed (not rolled back)
    even when this raises, so views catch the problem and answer without rolling back."""
    key = username.strip().lower()[:64]
    province = current_app.config["PROVINCE_CODE"]
    claim = throttling.claim(key, ip[:45])
    wait = claim.wait_seconds()
    if wait:
        record_event("login_throttled", actor_name=key, unit_code=province, target_type="user", target_id=key,
                     retry_after=wait)
        raise Problem("too_many_attempts", **throttling.wait_params(wait))
    user = find_user(key)
    if user is not None and user.role == API_CLIENT:
        # A machine never signs in, on the page or for a token: refused like a wrong password (and counted like
        # one), after as long a check, so a guess learns nothing; the audit trail says why.
        check_password_hash(_DUMMY_HASH, password)
        throttling.record_failure(claim)
        record_event("login_failed", None, actor_name=key, target_type="user", target_id=user.id,
                     unit_code=user.unit_code, reason="api_client")
        raise Problem("invalid_credentials")
    if user is not None and user.locked_at is not None:
        # Refused without checking the password, so a guess at a locked account learns nothing about it.
        record_event("login_failed", None, actor_name=key, target_type="user", target_id=user.id,
                     unit_code=user.unit_code, reason="locked")
        raise Problem("account_locked")
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not (ok and user is not None and user.is_active):
        throttling.record_failure(claim)
        # Whoever typed the password is unknown: the account is the target, not the actor.
        record_event("login_failed", None, actor_name=key, target_type="user",
                     target_id=user.id if user else None,
                     unit_code=user.unit_code if user else province,
                     reason="disabled" if (ok and user is not None) else "bad_credentials")
        raise Problem("invalid_credentials")
    throttling.record_success(claim)
    user.last_login_at = utcnow()
    record_event("login", user, target_type="user", target_id=user.id, unit_code=user.unit_code)
    return user


def check_current_password(user: User, password: str, ip: str) -> bool:
    """Whether `password` is the signed-in user's own, under the same throttle as a sign-in: someone holding a
    stolen session cannot guess it freely. A wait is refused (429) before the password is checked; a wrong one is
    counted and audited (the caller must commit, not roll back)."""
    claim = throttling.claim(user.username, ip[:45])
    wait = claim.wait_seconds()
    if wait:
        record_event("login_throttled", user, target_type="user", target_id=user.id, unit_code=user.unit_code,
                     retry_after=wait, reason="password_change")
        raise Problem("too_many_attempts", **throttling.wait_params(wait))
    if check_password_hash(user.password_hash, password):
        throttling.record_success(claim)
        return True
    throttling.record_failure(claim)
    record_event("login_failed", user, target_type="user", target_id=user.id, unit_code=user.unit_code,
                 reason="password_change")
    return False


def _hash_token(token: str) -> str:
    """The stored form of a bearer token."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


_OWNER = object()  # issue_token's default actor: the token's own user, signing in


def issue_token(user: User, label: str = "", *, actor=_OWNER, days: int | None = None,
                actor_name: str | None = None) -> tuple[str, ApiToken]:
    """Make a bearer token for the user, valid for `days` (default API_TOKEN_DAYS); return the token (shown once)
    and its row. The audit entry names `actor` as who issued it: by default the user, who signed in for it."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_hash_token(token), label=label[:100],
                   expires_at=utcnow() + timedelta(days=days or current_app.config["API_TOKEN_DAYS"]))
    db.session.add(row)
    db.session.flush()
    if actor is _OWNER:
        record_event("token_issued", user, target_type="api_token", target_id=row.id, unit_code=user.unit_code)
    else:  # issued for someone else: whose token it is, and for how long
        record_event("token_issued", actor, actor_name=actor_name, target_type="api_token", target_id=row.id,
                     unit_code=user.unit_code, user_id=user.id, username=user.username, label=row.label,
                     expires_at=row.expires_at.isoformat())
    return token, row


def issue_client_token(actor, user: User, label: str = "", days: int | None = None) -> tuple[str, ApiToken]:
    """Issue a token for an API client (the provincial system's machine, which cannot sign in for one): by an
    administrator whose area holds the account, or by the command line (actor None) at installation."""
    _check_in_area(actor, user.unit)
    if user.role != API_CLIENT:
        raise Problem("validation_failed", fields=[field_error(
            "username", f"{user.username} không phải tài khoản hệ thống kết nối (máy): người dùng tự đăng nhập để "
                        "nhận mã truy cập.",
            f"{user.username} is not an API client (machine) account: people sign in for their own tokens.")])
    if not user.is_active:
        raise Problem("validation_failed", fields=[field_error(
            "is_enabled", f"Tài khoản {user.username} đang bị khoá: hãy mở lại trước khi cấp mã truy cập.",
            f"The account {user.username} is disabled: enable it before issuing a token.")])
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise Problem("validation_failed", fields=[field_error(
            "days", f"Số ngày hiệu lực phải từ 1 đến {MAX_TOKEN_DAYS}.",
            f"The number of days must be between 1 and {MAX_TOKEN_DAYS}.")])
    label = " ".join(label.split())
    if len(label) > 100:
        raise Problem("validation_failed", fields=[field_error(
            "label", "Nhãn dài quá 100 ký tự.", "The label is longer than 100 characters.")])
    return issue_token(user, label, actor=actor, days=days, actor_name=None if actor is not None else "cli")


# One query for the token, its user and the user's unit: every API call starts here, so it is built once.
_TOKEN_OWNER = unscoped(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                        .where(ApiToken.token_hash == bindparam("token_hash")), "token owner")


def user_for_token(token: str) -> tuple[User, ApiToken] | None:
    """The active user and token row for a bearer token, or None if unknown, expired, revoked or disabled."""
    found = db.session.execute(_TOKEN_OWNER, {"token_hash": _hash_token(token)}).first()
    now = utcnow()
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or row.expires_at <= now or not user.is_active:
        return None
    # Coarse, so a busy phone does not write on every request; and only in a request that writes anyway (a post,
    # an audited read): a plain read that wrote would, on SQLite, fail when another writer got in first.
    if (row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5)) and will_write():
        row.last_used_at = now
    return user, row


def revoke_token(actor, row: ApiToken) -> None:
    """Revoke one token (its owner, or an administrator over the owner's area)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()
        record_event("token_revoked", actor, target_type="api_token", target_id=row.id,
                     unit_code=row.user.unit_code)


def revoke_all_tokens(user: User) -> int:
    """Revoke every live token of a user (on disabling the account or changing its password); return how many."""
    now = utcnow()
    revoked = 0
    for row in db.session.execute(select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).scalars():
        row.revoked_at = now
        revoked += 1
    return revoked
