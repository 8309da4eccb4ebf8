"""Review: the commune supervisor's queue, steps, comments, village meeting and commune decision."""


def init_app(app) -> None:
    """Register the review pages."""
    from server.review import bulk, views  # noqa: F401 - bulk adds its pages to the blueprint

    app.register_blueprint(views.bp)
