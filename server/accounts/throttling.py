"""Sign-in throttling: per (username, address) with a doubling delay, and a high per-address ceiling that slows.

The policy and its numbers are in the README ("Sign-in throttling") and in config/settings.py (`LOGIN_*`).
Nothing here locks an account: only an administrator does (`operations.lock_user`), so a known username cannot be
kept locked by strangers, and people behind a commune's shared address are slowed, never shut out.

Counting is atomic on both backends. `claim` upserts and locks the address's row, then the pair's row
(`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), before any password is checked; the locks last until the
request's transaction ends. Concurrent tries from one address therefore wait for each other, and each one sees
the count that the one before it left: a burst cannot check more passwords than the limit. On SQLite a sign-in
is a POST, whose transaction takes the write lock at BEGIN (server/core/db.py), which orders them the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.accounts.models import LoginAddressThrottle, LoginThrottle
from server.core.db import utcnow
from server.extensions import db

_INSERT = {"postgresql": pg_insert, "sqlite": sqlite_insert}
# Lapsed rows deleted at most per failed sign-in, so one request never does an unbounded amount of cleaning.
_FORGET_BATCH = 500


@dataclass
class Claim:
    """The locked throttle rows of one sign-in attempt and the instant it is judged at."""

    address: LoginAddressThrottle
    pair: LoginThrottle
    now: datetime

    def wait_seconds(self) -> int:
        """Seconds before this address and username may try again; 0 when the password may be checked now."""
        retry = [row.retry_at for row in (self.address, self.pair) if row.retry_at is not None]
        if not retry or max(retry) <= self.now:
            return 0
        return math.ceil((max(retry) - self.now).total_seconds())


def _setting(name: str) -> int:
    """One of the LOGIN_* settings."""
    return int(current_app.config[f"LOGIN_{name}"])


def _upsert_and_lock(model, values: dict, keys: tuple[str, ...]):
    """The row of `model` with these key values, inserted if missing, locked until the transaction ends."""
    insert = _INSERT[db.session.get_bind().dialect.name]
    stmt = insert(model).values(**values)
    # A no-op update, so that an existing row is locked and returned (DO NOTHING would return nothing).
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={keys[0]: stmt.excluded[keys[0]]})
    return db.session.scalars(stmt.returning(model), execution_options={"populate_existing": True}).one()


def claim(username: str, ip: str) -> Claim:
    """Lock the throttle rows of this address and of this (username, address) pair, address first (always in
    that order, so two sign-ins never wait on each other crosswise); a lapsed count starts again from zero."""
    now = utcnow()
    address = _upsert_and_lock(LoginAddressThrottle, {"ip": ip, "failures": 0, "forget_at": now}, ("ip",))
    pair = _upsert_and_lock(LoginThrottle, {"username": username, "ip": ip, "failures": 0, "forget_at": now},
                            ("username", "ip"))
    for row in (address, pair):
        if row.forget_at <= now:
            row.failures, row.retry_at = 0, None
    return Claim(address, pair, now)


def record_failure(claim: Claim) -> None:
    """Count a wrong password for the pair and the address, and set when each may try again."""
    now, pair, address = claim.now, claim.pair, claim.address
    pair.failures += 1
    pair.forget_at = now + timedelta(seconds=_setting("FORGET_SECONDS"))
    over = pair.failures - _setting("MAX_FAILURES")
    if over >= 0:
        delay = min(_setting("DELAY_SECONDS") * 2 ** min(over, 32), _setting("MAX_DELAY_SECONDS"))
        pair.retry_at = now + timedelta(seconds=delay)
    if address.failures == 0:
        address.forget_at = now + timedelta(seconds=_setting("ADDRESS_WINDOW_SECONDS"))
    address.failures += 1
    if address.failures >= _setting("ADDRESS_MAX_FAILURES"):
        address.retry_at = now + timedelta(seconds=_setting("ADDRESS_DELAY_SECONDS"))
        address.forget_at = max(address.forget_at, address.retry_at)
    db.session.flush()
    _forget_lapsed(now)


def record_success(claim: Claim) -> None:
    """A right password: forget the pair's count (the address's stays, or one good account would reset it)."""
    db.session.delete(claim.pair)
    db.session.flush()


def _forget_lapsed(now: datetime) -> None:
    """Delete rows whose count has lapsed, skipping rows another sign-in holds (PostgreSQL; SQLite has one
    writer), so that cleaning never waits for, or deadlocks with, a sign-in in progress."""
    for model, key in ((LoginThrottle, LoginThrottle.id), (LoginAddressThrottle, LoginAddressThrottle.ip)):
        lapsed = select(key).where(model.forget_at < now).limit(_FORGET_BATCH).with_for_update(skip_locked=True)
        db.session.execute(delete(model).where(key.in_(lapsed)), execution_options={"synchronize_session": False})


def delays_for(username: str) -> list[LoginThrottle]:
    """The addresses from which this username has wrong passwords still counted, latest first (admin page)."""
    stmt = (select(LoginThrottle).where(LoginThrottle.username == username, LoginThrottle.failures > 0,
                                        LoginThrottle.forget_at > utcnow())
            .order_by(LoginThrottle.forget_at.desc()))
    return list(db.session.scalars(stmt))


def forget_username(username: str) -> int:
    """Forget every count and delay of this username, from every address; return how many pairs were counted."""
    counted = len(delays_for(username))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.username == username),
                       execution_options={"synchronize_session": False})
    return counted


def wait_params(seconds: int) -> dict:
    """The parameters of a `too_many_attempts` problem: Retry-After and the wait in words, in both languages."""
    if seconds < 60:
        return {"retry_after": seconds, "wait_vi": f"{seconds} giây",
                "wait": f"{seconds} second" + ("" if seconds == 1 else "s")}
    minutes = math.ceil(seconds / 60)
    return {"retry_after": seconds, "wait_vi": f"{minutes} phút",
            "wait": f"{minutes} minute" + ("" if minutes == 1 else "s")}
