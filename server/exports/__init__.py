"""Exports to the provincial system (issue 13): the report tables, household lists, record streams, push.

    writers.py    pure: XLSX (constant memory), CSV (UTF-8 with BOM, formula guard), JSON Lines writers
    tables.py     pure: the five report tables of §5.3 laid out from an indicator table
    households.py the household lists (poor, near-poor, middle-income, escaped, newly poor), scoped and streamed
    records.py    the JSON Lines of household records with classification and review state, by sync cursor
    operations.py one call per export (file name, audit entry), used by the command, the page, the API and jobs
    jobs.py       long exports in the background (a thread per job, progress in `export_jobs`)
    outbox.py     the push outbox tables; push.py the push to the provincial endpoint (idempotency keys)
    openapi.py    the OpenAPI 3.1 document of /api/v1/ (apispec + its marshmallow plugin)
    api.py        GET /api/v1/records (JSON Lines), GET /api/v1/reports/<table>
    cli.py        flask --app server export TABLE --year YEAR [--unit CODE] [--basis ...] --out FILE; push
    views.py      the exports page (/exports/) and the jobs' progress and downloads
"""


def init_app(app) -> None:
    """Register the API, the pages and the commands."""
    from server.exports import api, cli, openapi, outbox, push_cli, push_views, views

    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)  # GET /api/v1/openapi.json (public)
    app.register_blueprint(views.bp)
    cli.init_app(app)
    outbox.listen(app)  # the push outbox, written in the transaction of each change to an approved form
    push_views.register(app)
    push_cli.register(app)
