"""The collector: the offline app a village cadre surveys with, served at /collect/ (shell, service worker,
manifest, icons), and the compression of the files it loads."""


def init_app(app) -> None:
    """Register the collector's pages and compress the static files and the collector's answers."""
    from server.collect import assets, views

    app.register_blueprint(views.bp)
    assets.init_app(app)
