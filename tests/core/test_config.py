"""Configuration: documented defaults, RASOAT_ environment overrides, unknown keys refused, generated secret."""

from __future__ import annotations

import stat

import pytest

from config import settings


def test_defaults_put_sqlite_and_secret_under_instance(tmp_path):
    cfg = settings.load({"INSTANCE_PATH": str(tmp_path)}, environ={})
    assert cfg["DATABASE_URL"] == f"sqlite:///{tmp_path}/rasoat.sqlite3"
    secret = tmp_path / "secret_key"
    assert secret.exists() and cfg["SECRET_KEY"] == secret.read_text().strip() and len(cfg["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    again = settings.load({"INSTANCE_PATH": str(tmp_path)}, environ={})
    assert again["SECRET_KEY"] == cfg["SECRET_KEY"]


def test_environment_overrides_with_types(tmp_path):
    env = {"RASOAT_DATABASE_URL": "postgresql+psycopg://u@h/db", "RASOAT_API_TOKEN_DAYS": "7",
           "RASOAT_SESSION_COOKIE_SECURE": "true", "RASOAT_INSTANCE_PATH": str(tmp_path)}
    cfg = settings.load(environ=env)
    assert cfg["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    assert cfg["API_TOKEN_DAYS"] == 7 and cfg["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("env", [{"RASOAT_DATABSE_URL": "x"}, {"RASOAT_API_TOKEN_DAYS": "many"},
                                 {"RASOAT_TESTING": "perhaps"}, {"RASOAT_DEFAULT_LOCALE": "fr"}])
def test_bad_keys_and_values_fail_fast(tmp_path, env):
    with pytest.raises(settings.ConfigError):
        settings.load({"INSTANCE_PATH": str(tmp_path)}, environ=env)


def test_unknown_override_and_instance_file_keys_fail(tmp_path):
    with pytest.raises(settings.ConfigError, match="NOT_A_KEY"):
        settings.load({"INSTANCE_PATH": str(tmp_path), "NOT_A_KEY": 1}, environ={})
    (tmp_path / "config.py").write_text("LOGIN_MAX_FAILURES = 3\nTYPO_KEY = 1\n")
    with pytest.raises(settings.ConfigError, match="TYPO_KEY"):
        settings.load({"INSTANCE_PATH": str(tmp_path)}, environ={})
    (tmp_path / "config.py").write_text("LOGIN_MAX_FAILURES = 3\n")
    assert settings.load({"INSTANCE_PATH": str(tmp_path)}, environ={})["LOGIN_MAX_FAILURES"] == 3


def test_every_key_is_documented_where_it_is_defined():
    source = (settings.ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    for key in settings.DEFAULTS:
        index = next(i for i, line in enumerate(lines) if line.strip().startswith(f'"{key}":'))
        assert lines[index - 1].strip().startswith("#"), f"{key} has no comment above it"
