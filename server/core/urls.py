"""Safe redirects: only to a path on this site."""

from __future__ import annotations

from flask import url_for


def local_target(target: str | None) -> str:
    """The given path if it stays on this site, else the home page (no open redirect)."""
    target = target or ""
    # Browsers read a backslash as a slash, so "/\\evil.example" would leave the site like "//evil.example".
    if not target.startswith("/") or target.startswith("//") or "\\" in target or \
            any(ord(c) < 32 for c in target):
        return url_for("web.home")
    return target
