"""Fixtures for the accounts tests: cheap password hashing, audit and failure lookups."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from server.accounts import operations as ops
from server.accounts.models import User
from server.core.scoping import unscoped
from live_db import TEST_PASSWORD

CHEAP_SCRYPT = "scrypt:1024:8:1"


@pytest.fixture(scope="session")
def password_hash():
    """The hash of TEST_PASSWORD for make_user: scrypt at a low cost, so failed logins check quickly."""
    return generate_password_hash(TEST_PASSWORD, method=CHEAP_SCRYPT)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Hash new passwords with scrypt at a low cost, so tests stay fast (verification reads the cost)."""

    def cheap(password: str, method: str = "scrypt", salt_length: int = 16) -> str:
        assert method == "scrypt"
        return generate_password_hash(password, method=CHEAP_SCRYPT, salt_length=salt_length)

    monkeypatch.setattr(ops, "generate_password_hash", cheap)
    monkeypatch.setattr(ops, "_DUMMY_HASH", generate_password_hash("timing-equaliser", method=CHEAP_SCRYPT))




@pytest.fixture
def user_count(session):
    """Factory: user_count() → the number of users."""
    return lambda: session.execute(unscoped(select(func.count()).select_from(User), "test")).scalar_one()


@pytest.fixture
def reload(session):
    """Factory: reload(user) → the user freshly read from the database (requests detach objects)."""

    def read(user: User) -> User:
        session.expire_all()
        return session.execute(unscoped(select(User).where(User.id == user.id), "test")).scalar_one()

    return read
