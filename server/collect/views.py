"""The collector's public files: the shell page, the service worker Flask writes, the manifest and the icons.

Nothing here is personal: the shell is the same page for everyone (the app signs in with a bearer token from its
own login screen and keeps everything else in the phone's IndexedDB).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from server.collect import assets, icons
from server.core.auth import public
from server.poverty.codes import RULES_DIR

bp = Blueprint("collect", __name__, url_prefix="/collect", template_folder="templates")

SCOPE = "/collect/"
THEME_COLOUR = "#0b5cad"  # the header blue of static/css/app.css
# The public JSON the collector needs offline: the form definitions and the rule sets (when the app serves them).
FORM_NAMES = ("household", "village")


@bp.get("/")
@public
def shell():
    """The app shell: the same page for everyone, kept by the service worker for offline starts."""
    response = Response(render_template("collect/shell.html", theme=THEME_COLOUR, release=release(),
                                        form_css=assets.versioned("css/form.css")
                                        if (assets.STATIC / "css/form.css").is_file() else None),
                        mimetype="text/html")
    return response


@bp.get("/sw.js")
@public
def worker():
    """The service worker, written with the list of files it precaches and a cache name made of their hashes."""
    entries = precache_entries()
    body = render_template("collect/sw.js", cache=f"rasoat-collect-{release(entries)}", scope=SCOPE,
                           shell=url_for("collect.shell"),
                           entries=json.dumps(entries, separators=(",", ":")), api_cached=json.dumps(_api_urls()))
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = SCOPE
    return response


@bp.get("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest: installable, standalone, starting at the collector."""
    body = {
        "name": "RaSoat — Rà soát hộ nghèo",
        "short_name": "RaSoat",
        "description": "Thu thập phiếu rà soát hộ nghèo, hộ cận nghèo (làm việc cả khi không có mạng)",
        "lang": "vi",
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [{"src": url_for("collect.icon", size=s), "sizes": f"{s}x{s}", "type": "image/png",
                   "purpose": "any maskable"} for s in icons.SIZES],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@public
def icon(size: int):
    """An app icon of one of the manifest's sizes."""
    return Response(icons.png(size), mimetype="image/png")


for _size in icons.SIZES:  # one fixed address per size (no size in the URL to check)
    bp.add_url_rule(f"/icon-{_size}.png", "icon", icon, methods=["GET"], defaults={"size": _size})


def precache_entries() -> list[list[str]]:
    """[url, version] of everything the service worker keeps: the shell, its files, the icons and public JSON."""
    files = assets.shell_files()
    data = "".join(assets.file_hash(p) for p in assets.data_files())
    entries = [[f"/static/{p.relative_to(assets.STATIC).as_posix()}", assets.file_hash(p)] for p in files]
    template = current_app.jinja_env.get_or_select_template("collect/shell.html").filename
    shell_version = hashlib.sha256((assets.file_hash(Path(template)) + "".join(v for _, v in entries))
                                   .encode()).hexdigest()[:16]
    entries.append([url_for("collect.shell"), shell_version])
    entries.append([url_for("collect.manifest"), shell_version])
    entries += [[url_for("collect.icon", size=s), "1"] for s in icons.SIZES]
    data_version = hashlib.sha256(data.encode()).hexdigest()[:16]
    entries += [[url, data_version] for url in _api_urls()]
    return entries


def release(entries: list | None = None) -> str:
    """The collector's version: a hash of the versions of everything it precaches."""
    if entries is None:
        files = assets.shell_files() + assets.data_files()
        return hashlib.sha256("".join(assets.file_hash(p) for p in files).encode()).hexdigest()[:16]
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()[:16]


def _api_urls() -> list[str]:
    """The public JSON addresses of the form definitions and rule sets, for those the app serves."""
    urls = [f"/api/v1/forms/{name}" for name in FORM_NAMES]
    urls += ["/api/v1/rule-sets"] + [f"/api/v1/rule-sets/{p.stem}" for p in sorted(RULES_DIR.glob("*.json"))
                                     if p.stem[:4].isdigit()]
    adapter = current_app.url_map.bind("localhost")
    served = []
    for url in urls:
        try:
            adapter.match(url, method="GET")
        except (NotFound, MethodNotAllowed, RequestRedirect):
            continue
        served.append(url)
    return served

