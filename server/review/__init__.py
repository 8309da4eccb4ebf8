"""Review: the commune supervisor's queue, steps, comments, village meeting and commune decision."""


def init_app(app) -> None:
    """Register the review pages."""
    from server.review import views

    app.register_blueprint(views.bp)
