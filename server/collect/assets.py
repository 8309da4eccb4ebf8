"""The collector's files: which ones it precaches, their content hashes (the service worker's cache name and the
`?v=` of every address), and gzip compression of what the app serves for it.

Compression is done here rather than with a library: each static file is gzipped once (at its first request,
then kept in memory until the file changes) and every later answer reuses the bytes. In production nginx may do
the same (`gzip_static` or `gzip on`, see the README); the app's own answers are then already compressed.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from pathlib import Path

from flask import current_app, request
from werkzeug.security import safe_join

from config.settings import ROOT

STATIC = ROOT / "static"
# The app shell: every file the collector may load, precached by the service worker (paths under static/).
# The collector and what it imports (not the supervisors' and officers' pages scripts).
SHELL_GLOBS = ("js/collect.js", "js/lib/**/*.js", "js/poverty/**/*.js", "vendor/*.js", "css/collect.css", "css/form.css",
               "collect/strings.json")
# Files whose content makes the served form definitions and rule sets (they change the cache name too).
DATA_GLOBS = ("forms/*/*.json", "config/rules/**/*.json")
COMPRESSIBLE = frozenset({"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "application/manifest+json", "image/svg+xml", "text/plain"})
# Public answers of the collector's first load (form definitions, rule sets) are compressed too; personal API
# answers are not (they are small, and are never mixed with a secret an attacker could probe).
COMPRESSED_PREFIXES = ("/collect/", "/api/v1/forms", "/api/v1/rule-sets")
MIN_SIZE = 512
LONG_CACHE = "public, max-age=31536000, immutable"

_lock = threading.Lock()
_hashes: dict[Path, tuple[tuple[int, int], str]] = {}
_gzipped: dict[Path, tuple[tuple[int, int], bytes]] = {}


def _per_content(store: dict, path: Path, make):
    """`make(bytes)` of a file's content, kept in `store` until the file's modification time or size changes."""
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    with _lock:
        known = store.get(path)
    if known and known[0] == stamp:
        return known[1]
    value = make(path.read_bytes())
    with _lock:
        store[path] = (stamp, value)
    return value


def file_hash(path: Path) -> str:
    """The first 16 hex digits of the SHA-256 of a file's content, recomputed only when the file changes."""
    return _per_content(_hashes, path, lambda data: hashlib.sha256(data).hexdigest()[:16])


def shell_files() -> list[Path]:
    """The static files of the app shell that exist now, in a stable order."""
    found = {p for pattern in SHELL_GLOBS for p in STATIC.glob(pattern) if p.is_file()}
    return sorted(found)


def data_files() -> list[Path]:
    """The form definition and rule files whose content the collector's JSON answers are made from."""
    return sorted({p for pattern in DATA_GLOBS for p in ROOT.glob(pattern) if p.is_file()})


def static_url(path: Path) -> str:
    """The address of a static file, with its hash as `?v=`."""
    return f"/static/{path.relative_to(STATIC).as_posix()}?v={file_hash(path)}"


def versioned(filename: str) -> str:
    """`static_url` for a name under static/ (templates use it)."""
    return static_url(STATIC / filename)


def init_app(app) -> None:
    """Compress static files and the collector's answers for clients that accept gzip; cache hashed files long."""
    app.add_template_global(versioned, "collect_asset")

    @app.after_request
    def _compress(response):
        if request.endpoint == "static":
            _long_cache(response)
        if not _wants_gzip(response):
            return response
        if request.endpoint == "static":
            path = _static_path()
            if path is None:
                return response
            body = _gzip_file(path)
            original = getattr(response.response, "close", None)
            if original is not None:
                original()  # the file Flask opened for the plain answer
        elif request.path.startswith(COMPRESSED_PREFIXES):
            if response.direct_passthrough or response.is_streamed:
                return response
            raw = response.get_data()
            if len(raw) < MIN_SIZE:
                return response
            body = gzip.compress(raw, compresslevel=6, mtime=0)
        else:
            return response
        response.direct_passthrough = False
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(f"{etag}-gzip", weak=weak)
        return response


def _long_cache(response) -> None:
    """A static file asked for with its current hash (`?v=`) may be kept a year: a new content gets a new hash."""
    version = request.args.get("v")
    path = _static_path()
    if version and path is not None and response.status_code in (200, 304) and version == file_hash(path):
        response.headers["Cache-Control"] = LONG_CACHE


def _wants_gzip(response) -> bool:
    """Whether this answer should be sent gzipped."""
    return (response.status_code == 200 and "gzip" in request.headers.get("Accept-Encoding", "")
            and "Content-Encoding" not in response.headers and "Range" not in request.headers
            and response.mimetype in COMPRESSIBLE)


def _static_path() -> Path | None:
    """The file a static request names, or None."""
    name = (request.view_args or {}).get("filename")
    joined = safe_join(current_app.static_folder, name) if name else None
    path = Path(joined) if joined else None
    return path if path is not None and path.is_file() else None


def _gzip_file(path: Path) -> bytes:
    """The gzipped content of a static file, compressed once per content."""
    return _per_content(_gzipped, path, lambda data: gzip.compress(data, compresslevel=9, mtime=0))
