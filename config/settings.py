"""RaSoat configuration: every key, its default and what it means.

Precedence (lowest first): the defaults below, then `instance/config.py` if present, then environment variables
named `RASOAT_<KEY>`, then the overrides passed to `create_app`. A key that is not defined below is refused
at start-up, wherever it comes from, so a typo never silently does nothing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, object] = {
    # SQLAlchemy URL of the database. Empty means the embedded SQLite file `instance/rasoat.sqlite3`.
    # PostgreSQL in production, e.g. "postgresql+psycopg://rasoat@127.0.0.1:5432/rasoat".
    "DATABASE_URL": "",
    # Folder for files this installation owns: the SQLite database, the generated secret key, uploads.
    "INSTANCE_PATH": str(ROOT / "instance"),
    # Key that signs session cookies and CSRF tokens. Empty means: read `instance/secret_key`, generating it on
    # the first run. Never commit a secret key.
    "SECRET_KEY": "",
    # Language of every page unless the user picks another: "vi" (Vietnamese) or "en" (English).
    "DEFAULT_LOCALE": "vi",
    # Province whose communes this installation serves (QĐ 19/2025 code). Lạng Sơn is 20.
    "PROVINCE_CODE": "20",
    # Days an API bearer token stays valid. Phones work offline for weeks between syncs, so this is long;
    # a token can be revoked at any time.
    "API_TOKEN_DAYS": 42,
    # Sign-in throttling (README, "Sign-in throttling"). Wrong passwords for one username from one address that are
    # checked without delay. After that the pair must wait before its next try (429 `too_many_attempts`).
    # Nothing locks an account by itself: only an administrator can (and unlock it) on the user's page.
    "LOGIN_MAX_FAILURES": 5,
    # The first wait, in seconds, after LOGIN_MAX_FAILURES; it doubles with every further wrong password.
    "LOGIN_DELAY_SECONDS": 30,
    # The longest wait, in seconds, however many wrong passwords: so the owner, if an attacker shares their
    # address and guesses their name, is slowed at worst this much, never locked out.
    "LOGIN_MAX_DELAY_SECONDS": 900,
    # Seconds after its last wrong password that a (username, address) pair's count is forgotten. A right password
    # forgets it at once.
    "LOGIN_FORGET_SECONDS": 86400,
    # Wrong passwords from one address, whatever the usernames, within LOGIN_ADDRESS_WINDOW_SECONDS before that
    # address is slowed (not locked). Set far above what a commune's shared connection needs: behind a reverse
    # proxy set PROXY_COUNT, or every client shares the proxy's address.
    "LOGIN_ADDRESS_MAX_FAILURES": 100,
    # The window, in seconds, over which an address's wrong passwords are counted.
    "LOGIN_ADDRESS_WINDOW_SECONDS": 3600,
    # Past LOGIN_ADDRESS_MAX_FAILURES, the address may try once per this many seconds until its window ends.
    "LOGIN_ADDRESS_DELAY_SECONDS": 10,
    # Send session cookies only over HTTPS, always. Without it they are still marked Secure whenever the request
    # came over HTTPS (behind a reverse proxy: X-Forwarded-Proto, trusted when PROXY_COUNT is set).
    "SESSION_COOKIE_SECURE": False,
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0 = none).
    "PROXY_COUNT": 0,
    # Testing mode: errors propagate to the test client. Never set in production.
    "TESTING": False,
    # CSRF protection on every form. Only tests that drive forms without a browser switch it off.
    "WTF_CSRF_ENABLED": True,
    # Echo SQL statements to the log (debugging only).
    "SQL_ECHO": False,
    # Log level of the application logger.
    "LOG_LEVEL": "INFO",
    # Largest request body accepted, in bytes (a record with its photos). Larger posts get 413 and nothing is kept.
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    # Folder where photos sent with records are kept, named by their SHA-256. Empty means `instance/attachments`.
    "ATTACHMENTS_PATH": "",
    # Quality flag: an interview shorter than this many minutes (started_at to ended_at) is flagged in the queue.
    # A local working rule, not law: set it to what the commune expects a full Phiếu B to take.
    "MIN_INTERVIEW_MINUTES": 15,
    # Quality flag: a household whose GPS lies farther than this many metres from the middle (median) of its
    # village's other surveyed households is flagged. Mountain villages are spread out; tune per province.
    "GPS_OUTLIER_METRES": 3000,
    # Quality flag: the GPS check needs at least this many other households with GPS in the village.
    "GPS_MIN_NEIGHBOURS": 3,
    # The current review year: what the collector's new forms start with, and whose previous year's households
    # GET /api/v1/households/previous offers as a starting point. 0 means the calendar year of today in Vietnam
    # (the periodic review of year Y runs 1 Sept - 14 Dec of Y). Set it when a review runs late into January.
    "REVIEW_YEAR": 0,
    # Most records one POST /api/v1/submissions/batch may carry (more: 413 naming `records`).
    "SUBMISSIONS_BATCH_MAX": 50,
    # Finished indicator tables kept in memory per process while their data is unchanged (server.indicators.cache);
    # 0 keeps none. A province's table is about 150 KB kept, a commune's about 10 KB.
    "INDICATOR_CACHE_TABLES": 256,
    # Threads that write the long exports (household lists) in the background (server/exports/jobs.py); 0 runs
    # none by itself (the tests run jobs themselves).
    "EXPORT_WORKERS": 2,
    # Folder of the finished export files. Empty means `instance/exports`.
    "EXPORTS_FOLDER": "",
    # Hours a finished export (file and job) is kept for its download, then deleted: the lists hold personal data.
    "EXPORT_KEEP_HOURS": 24,
    # The push to the provincial system (server/exports/push.py): the address its import endpoint takes a POST
    # of a batch of approved records and aggregates at, e.g. "https://hethong.tinh.gov.vn/api/imports/rasoat".
    # Empty means no push: nothing is queued and `flask --app server push` refuses. Plain http:// only to this
    # machine (127.0.0.1, localhost); anywhere else it must be https://, since the batches hold personal data.
    "PUSH_URL": "",
    # Sent as `Authorization: Bearer <PUSH_TOKEN>` with every batch (empty: no Authorization header). A secret:
    # set it in instance/config.py or RASOAT_PUSH_TOKEN, never in the repository.
    "PUSH_TOKEN": "",
    # Most outbox items (records and aggregates together) in one batch.
    "PUSH_BATCH_SIZE": 200,
    # Seconds to wait for the endpoint to answer one batch before the attempt counts as failed (and is retried).
    "PUSH_TIMEOUT_S": 30,
    # Most attempts one run of `flask --app server push` makes on a batch the endpoint did not answer (network
    # error, 5xx, 429), waiting 2 s, 4 s, 8 s ... (at most 10 minutes, with jitter) between them; the next run
    # goes on from there. The page's "Push now" makes one attempt and never waits.
    "PUSH_MAX_ATTEMPTS": 5,
}

# RASOAT_* variables that are not configuration: read by the create-user command, the tests and the benchmarks.
NOT_SETTINGS = ("NEW_PASSWORD", "TEST_POSTGRES_URL", "CRASH_TESTS", "CRASH_SEED", "BENCH_POSTGRES_URL")

_BOOL = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


class ConfigError(ValueError):
    """A configuration key or value that cannot be used."""


def _coerce(key: str, raw: object) -> object:
    """Turn a value (often a string from the environment) into the type of the key's default."""
    default = DEFAULTS[key]
    if not isinstance(raw, str) or isinstance(default, str):
        return raw
    if isinstance(default, bool):
        try:
            return _BOOL[raw.strip().lower()]
        except KeyError:
            raise ConfigError(f"RASOAT_{key}: expected true/false, got {raw!r}") from None
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"RASOAT_{key}: expected an integer, got {raw!r}") from None
    return raw


def _check_keys(source: str, keys) -> None:
    """Refuse keys that are not defined above."""
    unknown = sorted(set(keys) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"unknown configuration key(s) in {source}: {', '.join(unknown)}")


def load(overrides: dict | None = None, environ: dict | None = None) -> dict:
    """Return the effective configuration: defaults, instance file, environment, overrides."""
    environ = os.environ if environ is None else environ
    cfg = dict(DEFAULTS)
    overrides = dict(overrides or {})
    env = {k[len("RASOAT_"):]: v for k, v in environ.items() if k.startswith("RASOAT_")}
    for name in NOT_SETTINGS:
        env.pop(name, None)
    _check_keys("the environment (RASOAT_*)", env)
    _check_keys("create_app overrides", overrides)
    instance = Path(str(overrides.get("INSTANCE_PATH") or env.get("INSTANCE_PATH") or cfg["INSTANCE_PATH"]))
    instance_file = instance / "config.py"
    if instance_file.exists():
        scope: dict = {}
        exec(compile(instance_file.read_text(encoding="utf-8"), str(instance_file), "exec"), scope)
        file_values = {k: v for k, v in scope.items() if k.isupper()}
        _check_keys(str(instance_file), file_values)
        cfg.update(file_values)
    cfg.update({k: _coerce(k, v) for k, v in env.items()})
    cfg.update({k: _coerce(k, v) for k, v in overrides.items()})
    cfg["INSTANCE_PATH"] = str(instance)
    if cfg["DEFAULT_LOCALE"] not in ("vi", "en"):
        raise ConfigError(f"DEFAULT_LOCALE must be 'vi' or 'en', got {cfg['DEFAULT_LOCALE']!r}")
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = "sqlite:///" + str(instance / "rasoat.sqlite3")
    if not cfg["ATTACHMENTS_PATH"]:
        cfg["ATTACHMENTS_PATH"] = str(instance / "attachments")
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _instance_secret(instance)
    return cfg


def _instance_secret(instance: Path) -> str:
    """Read the generated secret key, creating it (readable by the owner only) on the first run."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key
