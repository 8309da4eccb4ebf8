"""RaSoat: field survey collector and register for Vietnam's household poverty review."""

from __future__ import annotations

import logging

from flask import Flask, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from config import settings
from server.core.db import TIMEZONE


def create_app(overrides: dict | None = None) -> Flask:
    """Create the app: configuration, extensions, blueprints. No database I/O, no migrations."""
    cfg = settings.load(overrides)
    app = Flask(__name__, instance_path=cfg["INSTANCE_PATH"], static_folder=str(settings.ROOT / "static"))
    app.config.update(cfg)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        BABEL_DEFAULT_LOCALE=cfg["DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE=TIMEZONE,
        BABEL_TRANSLATION_DIRECTORIES="translations",
    )
    logging.getLogger("rasoat").setLevel(cfg["LOG_LEVEL"])
    if cfg["PROXY_COUNT"]:
        n = int(cfg["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)

    from server.extensions import babel, csrf, db, login_manager

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: TIMEZONE)

    from server.core import requests, security

    security.init_app(app)  # first: its after-request function then runs last, on the final response
    requests.init_app(app)

    from server import accounts, audit, collect, places, review, submissions, web

    for module in (web, accounts, places, audit, submissions, review, collect):
        module.init_app(app)

    from server.surveys import rules_api

    app.register_blueprint(rules_api.bp)  # GET /api/v1/rule-sets: the phone's rule engine (public)

    from server.surveys import api as forms_api

    app.register_blueprint(forms_api.bp)  # GET /api/v1/forms: the collector's form definitions (public)

    from server import indicators

    indicators.init_app(app)  # GET /api/v1/indicators and `flask indicators`

    from server.indicators import entry as plans

    plans.init_app(app)  # /plans: official statuses, targets, external figures; import-unit-statuses, seed-plan-targets

    from server import exports

    exports.init_app(app)  # /exports/, GET /api/v1/records and /api/v1/reports/<table>, `flask export`

    from server import cli

    cli.init_app(app)
    return app


def _select_locale() -> str:
    """The user's chosen language, else the installation's default (Vietnamese)."""
    from flask import current_app

    lang = session.get("lang") or request.cookies.get("lang")
    return lang if lang in ("vi", "en") else current_app.config["DEFAULT_LOCALE"]
