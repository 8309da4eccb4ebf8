"""The indicator pages: province → commune → village, with their tables and charts (server-rendered SVG).

`/indicators/` is the viewer's own unit (an officer's province, a supervisor's commune); `/indicators/<code>`
any unit in their area. `?year=` and `?basis=` (approved, recognised, submitted) choose the figures; every figure
says its basis, rule set and year. Every count links to the households behind it: the commune's review queue
filtered by year, basis, class, deficit indicator or last year's class (server/review/queue.py). Enumerators do
not get these pages (403).

The figures come from server.indicators (H1's `indicator_table`, the same JSON as the API and the CLI), the
statuses from server.indicators.status, the targets from server.indicators.targets; this module only arranges
them for people to read.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from server.core.auth import current_actor, requires
from server.core.errors import Problem, field_error
from server.core.scoping import can_access, scoped
from server.extensions import db
from server.indicators import charts
from server.indicators.targets import POINTS, POINTS_EN
from server.places.models import Unit
from server.poverty import RuleSetError, load_rule_set
from server.submissions.models import Submission

bp = Blueprint("indicators", __name__, url_prefix="/indicators", template_folder="templates")

BASES = ("approved", "recognised", "submitted")
ROLES = ("supervisor", "officer", "admin")
# How many child units a bar chart draws before the page says the table holds the rest (a province's 65
# communes fit; a commune's villages always do).
MAX_BARS = 80


def basis_labels() -> dict[str, str]:
    """What each basis counts, in the page's language."""
    return {"approved": _("Approved by the commune or further"),
            "recognised": _("Recognised by a commune decision (official)"),
            "submitted": _("Every current form (provisional)")}


def lang() -> str:
    """The page's language code."""
    from flask_babel import get_locale

    return str(get_locale() or "vi")


def pick(pair) -> str:
    """A {vi, en} text (or a plain string) in the page's language."""
    if isinstance(pair, dict):
        return pair.get(lang()) or pair.get("vi") or ""
    return pair or ""


def _symbols() -> tuple[str, str]:
    """The page locale's decimal and group separators, read once per request (Babel's formatter is about 0.1 ms
    a number, a province page shows about a thousand)."""
    if "indicators_symbols" not in g:
        from babel.numbers import get_decimal_symbol, get_group_symbol
        from flask_babel import get_locale

        locale = get_locale() or "vi"
        g.indicators_symbols = (get_decimal_symbol(locale), get_group_symbol(locale))
    return g.indicators_symbols


def _local(text: str) -> str:
    """A number written with Python's "," and "." in the page locale's separators."""
    decimal, group = _symbols()
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def pct(value) -> str:
    """A rate as people read it: two decimals in the page's locale ("2,32")."""
    return "—" if value is None else _local(f"{value:,.2f}")


def rate(value) -> str:
    """A rate with its per cent sign, or a dash when it is not known."""
    return "—" if value is None else f"{pct(value)} %"


def num(value) -> str:
    """A count in the page's locale ("199.765")."""
    return "—" if value is None else _local(f"{value:,.0f}")


def figure(value) -> str:
    """A figure of a target (a rate, a count, millions of đồng) with at most two decimals."""
    return "—" if value is None else format_decimal(value, format="#,##0.##")


CHANGE_COMPARISONS = ("decrease_by_at_least", "increase_by_at_least")


def with_unit(t: dict, value, *, gap: bool = False) -> str:
    """A target's figure with its unit ("2,44 %", "27 xã"); a dash when not known. The gap of a change of a rate
    is in percentage points."""
    if value is None:
        return "—"
    unit = t.get("unit_of_measure") or ""
    if t.get("comparison") in CHANGE_COMPARISONS and unit in ("%", POINTS, POINTS_EN):
        # A target on the change of a rate: the rates themselves (now, last year) are in %, the gap in points.
        return f"{figure(value)} {_('percentage points')}" if gap else f"{figure(value)} %"
    return f"{figure(value)}{' %' if unit == '%' else ' ' + unit if unit else ''}"


def target_text(t: dict) -> str:
    """A target as a sentence: its comparison with the value and unit in place ("giảm ít nhất 2 điểm phần trăm so
    với năm trước")."""
    unit = t.get("unit_of_measure") or ""
    if unit == "%" and t.get("comparison") in CHANGE_COMPARISONS:
        unit = _("percentage points")
    value = f"{figure(t.get('target_value'))} {unit}".strip()
    words = pick(t.get("comparison_label")) or t.get("comparison") or ""
    return words.replace("…", value) if "…" in words else f"{words} {value}".strip()


def pp(value) -> str:
    """A change in percentage points with its sign."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{format_decimal(abs(value), format='#,##0.00')}"


# --- what the page asks for --------------------------------------------------------------------------------------

def _basis() -> str:
    basis = (request.args.get("basis") or "approved").strip()
    if basis not in BASES:
        raise Problem("validation_failed", fields=[field_error(
            "basis", f"phải là một trong {', '.join(BASES)}.", f"must be one of {', '.join(BASES)}.")])
    return basis


def _year(years: list[int]) -> int | None:
    raw = (request.args.get("year") or "").strip()
    if not raw:
        return years[0] if years else None
    if not raw.isdigit() or not 1900 <= int(raw) <= 2100:
        raise Problem("validation_failed", fields=[field_error(
            "year", "phải là một năm rà soát (4 chữ số).", "must be a review year (4 digits).")])
    return int(raw)


def rule_set_years() -> list[int]:
    """Every review year a rule set covers (a form of another year cannot be classified, nor counted)."""
    from server.poverty import rule_set_names

    years: set[int] = set()
    for name in rule_set_names():
        rules = load_rule_set(name)
        years.update(range(rules.first_year, rules.last_year + 1))
    return sorted(years, reverse=True)


def data_years(actor, unit: Unit) -> list[int]:
    """The review years with household forms in the unit (in the viewer's area), latest first: one indexed
    "is there any" probe per year a rule set covers (a DISTINCT over the province's forms took a second at
    200,000 households a year)."""
    found = []
    for year in rule_set_years():
        stmt = select(Submission.id).where(Submission.review_year == year, Submission.kind == "household")
        if unit.level == "commune":
            stmt = stmt.where(Submission.commune_code == unit.code)
        elif unit.level == "village":
            stmt = stmt.where(Submission.commune_code == unit.commune_code, Submission.village_code == unit.code)
        if db.session.execute(scoped(stmt, actor, Submission).limit(1)).first() is not None:
            found.append(year)
    return found


def _unit(actor, code: str | None) -> Unit:
    code = code or actor.unit_code
    unit = db.session.get(Unit, code)
    if unit is None:
        raise Problem("unit_unknown", unit=code)
    if not can_access(actor, code):
        raise Problem("out_of_scope", unit=code)
    return unit


def crumbs(actor, unit: Unit) -> list[Unit]:
    """The units above `unit` the viewer may open, top first."""
    out, code = [], unit.parent_code
    while code:
        parent = db.session.get(Unit, code)
        if parent is None:
            break
        if can_access(actor, parent.code):
            out.append(parent)
        code = parent.parent_code
    return list(reversed(out))


# --- links to the households behind a figure ---------------------------------------------------------------------

def households_link(row: dict, year: int, basis: str, **filters) -> str | None:
    """The review queue listing the households a figure of `row` counts (None for the province: its households
    are listed commune by commune, from its table). Built from the queue's address once per request (a province
    page has hundreds of links: url_for for each cost a quarter of the page's own time)."""
    if row["level"] == "commune":
        args = {"commune": row["code"]}
    elif row["level"] == "village":
        commune = row.get("parent_code") or row.get("commune_code")
        if commune is None:
            unit = db.session.get(Unit, row["code"])
            commune = unit.commune_code if unit else None
        if commune is None:
            return None
        args = {"commune": commune, "village": row["code"]}
    else:
        return None
    args.update(year=year, basis=basis, **{k: v for k, v in filters.items() if v is not None})
    if "indicators_queue_url" not in g:
        g.indicators_queue_url = url_for("review.queue")
    return f"{g.indicators_queue_url}?{urlencode(args)}"


# --- the figures -----------------------------------------------------------------------------------------------

def table_of(year: int, unit: Unit, basis: str, actor) -> dict:
    """The indicator table of `unit` and its children (server.indicators: the API's JSON)."""
    from server.indicators.operations import indicator_table

    return indicator_table(year, unit.code, basis=basis, actor=actor)


def indicator_labels(rule_set: str | None) -> dict[str, str]:
    """Indicator number (as a string) → its name in the rule set, in the page's language."""
    if not rule_set:
        return {}
    try:
        rules = load_rule_set(rule_set)
    except RuleSetError:
        return {}
    return {str(i["number"]): pick(i["label"]) for i in rules.data["indicators"]}


def statuses(year: int, unit: Unit, basis: str, actor):
    """Official beside indicative ĐBKK status of the unit and those below it (server.indicators.status)."""
    from server.indicators import status

    return status.status_changes(year, unit.code, basis, actor=actor)


def targets(year: int, unit: Unit, basis: str, actor):
    """The plan targets of the unit for the year with their current value, gap and state (targets.py)."""
    from server.indicators import targets as plan

    return plan.evaluate_targets(year, unit.code, basis=basis, actor=actor) or None


TREND_KEYS = ("poor_rate", "near_poor_rate", "multidimensional_rate")


def trend(years: list[int], unit: Unit, basis: str, actor, current: dict) -> list[tuple[int, dict]]:
    """The unit's rates and rule set for every year with data up to the page's year (oldest first). This year's
    come from the table already read and last year's from its year-on-year change (no second query when every
    rate is known); older years are read one table each."""
    year, row = current["year"], own_row(current)
    out = {year: {**{k: row.get(k) for k in TREND_KEYS}, "rule_set": current.get("rule_set")}}
    change = row.get("change") or {}
    last = {k: (row[k] - change[k + "_pp"] if row.get(k) is not None and change.get(k + "_pp") is not None
                else None) for k in TREND_KEYS}
    if year - 1 in years and all(v is not None for v in last.values()):
        out[year - 1] = {**last, "rule_set": change.get("previous_rule_set")}
    for y in years:
        if y < year and y not in out:
            table = table_of(y, unit, basis, actor)
            mine = own_row(table)
            out[y] = {**{k: mine.get(k) for k in TREND_KEYS}, "rule_set": table.get("rule_set")}
    return sorted(out.items())


def own_row(table: dict) -> dict:
    """The row of the table's unit itself (the last one, whose code is the unit's)."""
    code = table["unit"]["code"]
    return next(r for r in reversed(table["rows"]) if r["code"] == code)


# --- charts ------------------------------------------------------------------------------------------------------

def rate_bars(rows: list[dict], key: str, *, year: int, basis: str, title: str, colour: str, cls: str | None,
              unit_level: str) -> str | None:
    """A bar per child unit that has the rate, each linking to the households it counts (None: no unit has it;
    the table says why for each)."""
    bars = [charts.Bar(r["name"], r[key], href=households_link(r, year, basis, **{"class": cls}))
            for r in rows if r.get(key) is not None][:MAX_BARS]
    if not bars:
        return None
    return charts.bar_chart(bars, title=title, unit=" %", colour=colour, number=pct, missing="—",
                            headers=(_("Village") if unit_level == "commune" else _("Commune"), title),
                            table_title=_("The numbers of this chart"), caption=title)


def deficit_chart(row: dict, labels: dict[str, str], *, year: int, basis: str) -> str:
    """The deficit profile: % of poor and of near-poor households deprived on each indicator."""
    poor = row.get("deficits_poor_pct") or {}
    near = row.get("deficits_near_poor_pct") or {}
    numbers = sorted({*(row.get("deficits_poor") or {}), *poor, *near}, key=int)
    names = [f"{n}. {labels.get(n, '')}".strip() for n in numbers]
    series = [charts.Series(_("Poor households"), "poor", [poor.get(n) for n in numbers],
                            [households_link(row, year, basis, deficit=n, **{"class": "poor"}) for n in numbers]),
              charts.Series(_("Near-poor households"), "near_poor", [near.get(n) for n in numbers],
                            [households_link(row, year, basis, deficit=n, **{"class": "near_poor"})
                             for n in numbers])]
    title = _("Share of households deprived on each indicator")
    return charts.grouped_bars(names, series, title=title, caption=title,
                               unit=" %", max_value=100, number=pct, first_header=_("Indicator"),
                               table_title=_("The numbers of this chart"))


POOR_FLOW = (("begin", "total"), ("escaped_to_near_poor", "decrease"), ("escaped_above_near_poor", "decrease"),
             ("other_decrease", "decrease"), ("near_poor_to_poor", "increase"), ("fell_back", "increase"),
             ("newly_poor", "increase"), ("other_increase", "increase"), ("end", "total"))
NEAR_POOR_FLOW = (("begin", "total"), ("escaped", "decrease"), ("near_poor_to_poor", "decrease"),
                  ("other_decrease", "decrease"), ("poor_to_near_poor", "increase"), ("fell_back", "increase"),
                  ("newly_near_poor", "increase"), ("other_increase", "increase"), ("end", "total"))


def flow_labels() -> dict[str, str]:
    """The rows of the §5.2 flow tables, in the page's language."""
    return {"begin": _("At the start (last year)"), "escaped_to_near_poor": _("Escaped to near-poor"),
            "escaped_above_near_poor": _("Escaped above near-poor"), "escaped": _("Escaped near-poverty"),
            "other_decrease": _("Other decreases"), "near_poor_to_poor": _("Near-poor who became poor"),
            "poor_to_near_poor": _("Poor who became near-poor"), "fell_back": _("Fell back"),
            "newly_poor": _("Newly poor"), "newly_near_poor": _("Newly near-poor"),
            "other_increase": _("Other increases"), "end": _("At the end (this year)")}


def flow_links(layout: str, row: dict, year: int, basis: str) -> dict[str, str | None]:
    """The flow rows whose households the queue can list exactly (last year's class against this year's)."""
    link = lambda y, **f: households_link(row, y, basis, **f)  # noqa: E731
    if layout == "poor":
        return {"begin": link(year - 1, **{"class": "poor"}), "end": link(year, **{"class": "poor"}),
                "escaped_to_near_poor": link(year, previous="poor", **{"class": "near_poor"}),
                "near_poor_to_poor": link(year, previous="near_poor", **{"class": "poor"})}
    return {"begin": link(year - 1, **{"class": "near_poor"}), "end": link(year, **{"class": "near_poor"}),
            "near_poor_to_poor": link(year, previous="near_poor", **{"class": "poor"}),
            "poor_to_near_poor": link(year, previous="poor", **{"class": "near_poor"})}


def flow_chart(layout: str, hh: dict | None, row: dict, *, year: int, basis: str, title: str):
    """The waterfall of one flow layout (households), or None when the table has no flows."""
    if not hh:
        return None
    labels, links = flow_labels(), flow_links(layout, row, year, basis)
    steps = [charts.Step(labels[k], hh.get(k) or 0, kind, href=links.get(k))
             for k, kind in (POOR_FLOW if layout == "poor" else NEAR_POOR_FLOW) if k in hh]
    return charts.flow_chart(steps, title=title, caption=title, number=num, headers=(_("Row"), _("Households")),
                             table_title=_("The numbers of this chart"))


def trend_chart(series_rows: list[tuple[int, dict]], breaks: list[int]) -> str:
    """Poor, near-poor and multidimensional rates of the unit over the years."""
    years = [str(y) for y, _ in series_rows]
    series = [charts.Series(_("Poor"), "poor", [r.get("poor_rate") for _, r in series_rows]),
              charts.Series(_("Near-poor"), "near_poor", [r.get("near_poor_rate") for _, r in series_rows]),
              charts.Series(_("Poor + near-poor"), "multi", [r.get("multidimensional_rate") for _, r in series_rows])]
    title = _("Rates over the review years")
    return charts.line_chart(years, series, title=title, caption=title, unit="", number=pct,
                             first_header=_("Review year"), breaks=breaks, break_label=_("new standard"),
                             table_title=_("The numbers of this chart"))


def series_breaks(series_rows) -> list[int]:
    """Indexes of the years where the rule set differs from the year before (the series breaks there)."""
    return [i for i in range(1, len(series_rows))
            if series_rows[i][1].get("rule_set") != series_rows[i - 1][1].get("rule_set")]


# --- the page ----------------------------------------------------------------------------------------------------

def page_context(code: str | None, here: str) -> dict:
    """What every indicator page shows at its top: the unit, the units above it, the years and the basis."""
    actor = current_actor()
    unit = _unit(actor, code)
    basis = _basis()
    years = data_years(actor, unit)
    year = _year(years)
    if year is not None and year not in years:
        years = sorted({*years, year}, reverse=True)
    return {"actor": actor, "unit": unit, "crumbs": crumbs(actor, unit), "years": years, "year": year,
            "basis": basis, "bases": basis_labels(), "here": here, "pct": pct, "num": num, "pp": pp, "pick": pick,
            "rate": rate, "num_or_pct": figure, "progress": charts.progress_bar, "target_text": target_text,
            "with_unit": with_unit}


def _heading(year: int) -> dict:
    """The year, basis and rule set a page without the indicator table says its figures are of."""
    from server.poverty import rule_set_for_year

    try:
        name = rule_set_for_year(year).name
    except RuleSetError:
        name = None
    return {"year": year, "basis": _basis(), "rule_set": name}


@bp.get("/", endpoint="home")
@requires(*ROLES)
def home_page():
    """The viewer's own unit: the province for an officer, the commune for a supervisor."""
    return _unit_page(None)


@bp.get("/<code>", endpoint="unit")
@requires(*ROLES, area="code")
def unit_page(code: str):
    """A unit in the viewer's area."""
    return _unit_page(code)


def _unit_page(code: str | None):
    """A unit's indicators: key figures, coverage, the table of its children, charts, trend, deficits, flows."""
    ctx = page_context(code, "indicators.unit")
    actor, unit, year, years, basis = ctx.pop("actor"), ctx["unit"], ctx["year"], ctx["years"], ctx["basis"]
    if year is None:
        return render_template("indicators/unit.html", table=None, **ctx)
    table = table_of(year, unit, basis, actor)
    row = own_row(table)
    children = [r for r in table["rows"] if r["code"] != unit.code]
    labels = indicator_labels(table.get("rule_set"))
    series_rows = trend(years, unit, basis, actor, table)

    def link(r, basis=basis, **filters):
        return households_link(r, year, basis, **filters)

    ctx.update(
        table=table, row=row, children=children, link=link, labels=labels, flow_labels=flow_labels(),
        charts={
            "poor": rate_bars(children, "poor_rate", year=year, basis=basis, colour="poor", cls="poor",
                              title=_("Poverty rate by unit"), unit_level=unit.level) if children else None,
            "near_poor": rate_bars(children, "near_poor_rate", year=year, basis=basis, colour="near_poor",
                                   cls="near_poor", title=_("Near-poverty rate by unit"),
                                   unit_level=unit.level) if children else None,
            "trend": trend_chart(series_rows, series_breaks(series_rows)) if series_rows else None,
            "deficits": deficit_chart(row, labels, year=year, basis=basis),
            "flows_poor": flow_chart("poor", row.get("flows_poor"), row, year=year, basis=basis,
                                     title=_("Poor households: from last year to this year")),
            "flows_near_poor": flow_chart("near_poor", row.get("flows_near_poor"), row, year=year, basis=basis,
                                          title=_("Near-poor households: from last year to this year")),
        },
        many_children=sum(r.get("poor_rate") is not None for r in children) > MAX_BARS,
        without_rate=sum(r.get("poor_rate") is None for r in children),
        missing_reasons=list(dict.fromkeys(pick(v) for v in (row.get("rate_missing") or {}).values() if v)),
    )
    return render_template("indicators/unit.html", **ctx)


@bp.get("/<code>/targets", endpoint="targets")
@requires(*ROLES, area="code")
def targets_page(code: str):
    """The plan targets of a unit for the year: each with its current value, gap, state and a progress bar (its
    own page: evaluating them reads the indicator table of two years and the units' status)."""
    return _side_page(code, "targets", _("Plan targets"), targets)


@bp.get("/<code>/status", endpoint="status")
@requires(*ROLES, area="code")
def status_page(code: str):
    """Official beside indicative ĐBKK status of the unit and the units below it, who would leave or enter and
    why (its own page: the rule engine runs on every unit's figures)."""
    return _side_page(code, "status", _("ĐBKK status"), statuses)


def _side_page(code: str, name: str, title: str, compute):
    """A page of one more reading of the unit's year (`compute(year, unit, basis, actor)`), under the template
    and context key `name`."""
    ctx = page_context(code, f"indicators.{name}")
    actor, unit, year = ctx.pop("actor"), ctx["unit"], ctx["year"]
    if year is None:
        return render_template(f"indicators/{name}.html", table=None, **{name: None}, **ctx)
    return render_template(f"indicators/{name}.html", table=_heading(year), page_title=title,
                           **{name: compute(year, unit, ctx["basis"], actor)}, **ctx)
