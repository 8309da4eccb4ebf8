"""The UI shell: home page that sends each role where it works, language choice, the template helpers.

Text people typed (a name, a household code, a comment, a village name from a CSV) may hold bidirectional control
characters: a RIGHT-TO-LEFT OVERRIDE (U+202E) runs on, past the end of that text, over the page's own words up to
the end of the line's block. Where such text shares a line with other words, a template writes it `{{ name|bdi }}`:
an isolate (<bdi>) ends whatever embedding or override began inside it, so that at worst only that text looks
odd. A block that holds nothing but the user text (a cell, a heading, a <dd>) is its own bidi paragraph and needs
none. Where markup cannot go (<title>, <option>), `{{ name|isolate }}` puts the text between the Unicode isolate
characters FSI and PDI instead; not in the page's body, where they would be copied along with the text. A view's
flashed sentence isolates its values with `server.core.text.sentence`.
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, request, session, url_for
from flask_login import current_user

from server.core.auth import public
from server.core.text import bdi, isolate
from server.core.urls import local_target

bp = Blueprint("web", __name__, template_folder="templates")

# Where each role works. Later features replace these with their own pages.
HOME_BY_ROLE = {
    "enumerator": "places.my_area",
    "supervisor": "review.queue",
    "officer": "indicators.home",
    "admin": "accounts.users",
}


@bp.get("/")
@public
def home():
    """Send a signed-in user to where their role works; others to the login page."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if current_user.must_change_password:
        return redirect(url_for("accounts.change_password"))
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.post("/lang/<lang>")
@public
def set_language(lang: str):
    """Remember the chosen language (vi or en) and go back."""
    if lang not in ("vi", "en"):
        lang = "vi"
    session["lang"] = lang
    response = make_response(redirect(local_target(request.form.get("next"))))
    response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax", httponly=True,
                        secure=current_app.session_interface.get_cookie_secure(current_app))
    return response


def init_app(app) -> None:
    """Register the blueprint and the template helpers."""
    app.register_blueprint(bp)
    app.add_template_filter(bdi)
    app.add_template_filter(isolate)

    @app.context_processor
    def _nav():
        from flask_babel import get_locale

        return {"current_lang": str(get_locale() or "vi")}
