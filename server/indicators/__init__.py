"""Indicators: the poverty rates, coverage, cuts, deficits and flows of a unit, from the reviewed households.

    figures.py    pure: a unit's figures from grouped household rows and its resident counts
    flows.py      pure: the §5.2 flows (poor and near-poor, households and persons; the identity holds exactly)
    queries.py    the set-based SQL (GROUP BY in the database) over `submissions`, and the bases
    operations.py indicator_table() (the machine contract) and unit_figures() (for the unit status)
    cache.py      finished tables kept in memory while the data versions they were made from are unchanged
    api.py        GET /api/v1/indicators?year=&unit=&basis=
    cli.py        flask --app server indicators --year YEAR [--unit CODE] [--basis ...] [--format json|csv]
    views.py      the dashboards: /indicators/ (the viewer's unit), /indicators/<code>; charts.py their SVG
"""


def init_app(app) -> None:
    """Register the API and the command."""
    from server.indicators import api, cli

    app.register_blueprint(api.bp)
    app.cli.add_command(cli.indicators)
    from server.indicators import views  # the dashboards (/indicators/), H3

    app.register_blueprint(views.bp)
