"""Review: the commune supervisor's queue, steps, comments, village meeting and commune decision."""


def init_app(app) -> None:
    """Register the review pages."""
    from server.review import bulk, pages, views  # noqa: F401 - views and bulk add their pages to the blueprint

    app.register_blueprint(pages.bp)
