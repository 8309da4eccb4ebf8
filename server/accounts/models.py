"""Accounts: users with one role and one unit they are scoped to, API tokens, sign-in throttles."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.db import Base, UTCDateTime, utcnow
from server.core.roles import ROLES
from server.places.models import Unit


class User(UserMixin, Base):
    """A person who signs in. The unit is their area: it covers every unit below it."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN (%s)" % ", ".join(f"'{r}'" for r in ROLES), name="role"),)
    # Personal data (names): every query goes through server.core.scoping, filtered on this column.
    __scope__ = {"unit": "unit_code"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Stamped into the session cookie at sign-in and compared on every request: logging out or changing the
    # password moves it on, so every cookie stamped before (a copy included) stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set by an administrator: signing in with the password is refused until they unlock it. Never set by itself.
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        """Flask-Login: a disabled account cannot sign in or use a token."""
        return self.is_enabled

    def get_id(self) -> str:
        """Flask-Login: what the session cookie holds, the id and the session version (`12:3`)."""
        return f"{self.id}:{self.session_version}"


class ApiToken(Base):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Wrong passwords for one username from one address, and when that pair may try again.

    Its row is locked while a sign-in of the pair is checked (server/accounts/throttling.py), so concurrent
    tries are counted one after the other. A row whose `forget_at` has passed means nothing and may be deleted.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("username", "ip"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(45))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    forget_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LoginAddressThrottle(Base):
    """Wrong passwords from one address within its window, whatever the usernames; locked like LoginThrottle."""

    __tablename__ = "login_address_throttles"

    ip: Mapped[str] = mapped_column(String(45), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    forget_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
