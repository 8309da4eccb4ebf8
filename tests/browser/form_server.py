"""A small HTTP server for the form renderer's browser tests and benchmark: static/ as the app serves it (with the
collector shell's Content-Security-Policy, so an inline style or script would fail here as on the real site), the test
harness page (tests/browser/form_harness/), and the household definition and the rule set as the API serves them.

No database and no login: the renderer is a module that the collector (/collect/) mounts; this page mounts it the
same way with known data, so a test can drive one form without the collector's outbox and sync around it.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).resolve().parent / "form_harness"
RULE_SET = "2022-2026"


@cache
def served_json(form: str = "household") -> tuple[bytes, bytes]:
    """A form definition and the 2022-2026 rule set, as GET /api/v1/forms/<form> and
    GET /api/v1/rule-sets/2022-2026 answer them."""
    from server import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "form-harness", "TESTING": True})
    client = app.test_client()
    rule_set = client.get(f"/api/v1/rule-sets/{RULE_SET}")
    assert rule_set.status_code == 200, rule_set.data[:300]
    definition = client.get(f"/api/v1/forms/{form}")
    assert definition.status_code == 200, definition.data[:300]
    return definition.data, rule_set.data


class Handler(BaseHTTPRequestHandler):
    """GET only: /static/…, /harness/… and the two JSON documents."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        # The collector's shell policy (the app's, plus blob: images for the photos taken), else the app's.
        try:
            from server.collect.views import SHELL_CSP as CONTENT_SECURITY_POLICY
        except ImportError:
            from server.core.security import CONTENT_SECURITY_POLICY

        path, _, query = self.path.partition("?")
        body, kind = None, None
        if path == "/harness/definition.json":
            form = "village" if query == "form=village" else "household"
            body, kind = served_json(form)[0], "application/json"
        elif path == "/harness/rule-set.json":
            body, kind = served_json()[1], "application/json"
        else:
            base, rel = (ROOT / "static", path[len("/static/"):]) if path.startswith("/static/") else \
                (HARNESS, path[len("/harness/"):]) if path.startswith("/harness/") else (None, None)
            if base is not None:
                file = (base / rel).resolve()
                if file.is_file() and base.resolve() in file.parents:
                    body = file.read_bytes()
                    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                    if file.suffix in (".js", ".mjs"):
                        kind = "text/javascript"
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith(("text/", "application/json")) else kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class FormServer:
    """The server on 127.0.0.1 (a secure context: crypto.subtle works) in a daemon thread; `url` is its base."""

    def __init__(self) -> None:
        served_json()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="form-harness", daemon=True)

    def __enter__(self) -> FormServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def definition(self, form: str = "household") -> dict:
        """A served definition."""
        return json.loads(served_json(form)[0])
