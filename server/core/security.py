"""Security headers on every response, and session cookies marked Secure whenever the request came over HTTPS.

The Content-Security-Policy allows no inline script, style or event handler: pages load their scripts and styles
from `static/` (server data reaches scripts through `data-` attributes). Every response but a static file is
`Cache-Control: no-store`: pages behind a login and the API carry personal data, and a shared phone's browser
must not keep them (nor the login page's form token) once its user has signed out.
"""

from __future__ import annotations

from flask import has_request_context, request
from flask.sessions import SecureCookieSessionInterface

CONTENT_SECURITY_POLICY = ("default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; "
                           "form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Addresses of our pages can name a household's form: they are never sent to another site.
    "Referrer-Policy": "same-origin",
    # For browsers older than CSP's frame-ancestors.
    "X-Frame-Options": "DENY",
}
# Sent only over HTTPS (a browser ignores it over HTTP): a year of HTTPS only for this host, so a phone on a
# commune's Wi-Fi cannot be led to a plain-HTTP copy of the site after its first visit.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
# Flask's own endpoint for files under static/: no personal data, so browsers may keep them.
CACHEABLE_ENDPOINTS = frozenset({"static"})


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is Secure when SESSION_COOKIE_SECURE says so or the request is HTTPS
    (behind a reverse proxy Werkzeug's ProxyFix makes X-Forwarded-Proto the request's scheme when PROXY_COUNT
    is set), so a session begun over HTTPS is never sent back over plain HTTP."""

    def get_cookie_secure(self, app) -> bool:
        """Whether the session cookie gets the Secure attribute."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def init_app(app) -> None:
    """Install the session interface and the headers. Registered before the unit of work, so that it runs after
    it (Flask runs after-request functions in reverse order) and also marks the error a failed commit answers."""
    app.session_interface = SessionInterface()

    @app.after_request
    def _security_headers(response):
        # A view may set its own (a photo is sandboxed): read the names once, as a miss costs Werkzeug an exception.
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend([(name, value) for name, value in HEADERS.items() if name.lower() not in present])
        if request.is_secure and "strict-transport-security" not in present:
            response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
        cache = response.headers.get("Cache-Control", "") if "cache-control" in present else ""
        if request.endpoint not in CACHEABLE_ENDPOINTS and "no-store" not in cache:
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
