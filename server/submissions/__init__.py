"""Submissions: the sync API phones post household and village records to, idempotently, with photos."""


def init_app(app) -> None:
    """Register the sync API."""
    from server.submissions import api

    app.register_blueprint(api.bp)
