"""Places: province → commune → village, loaded from `vietnam-provinces` and imported from CSV."""


def init_app(app) -> None:
    """Register the places pages and API."""
    from server.places import views

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
