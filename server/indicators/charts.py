"""Server-rendered SVG charts for the indicator pages: pure functions from numbers to markup, no JavaScript.

Chosen by measurement (`bench/indicator_charts.py --pygal-path DIR`, 2026-12-01, this 2-core machine while other
jobs ran: medians of 20 renders), the same data drawn by pygal 3.1.3 (`js=[]`, no XML declaration) and here:

    chart                         pygal 3.1.3              this module: SVG (+ its numbers table)
    bars, 65 communes, linked     58.5 KB, 20-27 ms        16.6 KB (24.7 KB), 0.8-1.2 ms
    bars, 12 villages             23.0 KB,  7-15 ms         3.2 KB  (4.9 KB), 0.1-0.2 ms
    trend, 3 series x 2 years     17.8 KB,  5-10 ms         2.5 KB  (2.9 KB), 0.1 ms
    deficits, 12 x 2 series       25.2 KB,  6-15 ms         4.1 KB  (5.3 KB), 0.2 ms

So 4-7x smaller and 20-100x faster: a province page draws its charts in about 2 ms, where pygal would take about
60 ms of the page's 300 ms budget. And pygal's SVG carries its look in a `<style>` element and `style` attributes
plus an inline `<script>` (its config, even with `js=[]`), all of which the app's Content-Security-Policy
(server/core/security.py: `default-src 'self'`: no inline script or style) blocks when the SVG is inline in the
page; it would also be one more (LGPL) dependency. Here every look is a presentation attribute (`fill`,
`font-size`), which the policy allows, plus classes that static/css/indicators.css may refine.

Every chart is a `<figure>` holding the SVG (role="img", with a title) and a `<details>` table of the same numbers
for screen readers and for anyone who wants the figures. Every text (unit names come from imports and phones) is
escaped; links (to the households behind a figure) are escaped attribute values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Callable, Sequence

from markupsafe import Markup, escape

WIDTH = 320  # the drawing's own units: about a card's inner width on a 360 px phone, so text keeps its size
FONT = 13
PALETTE = {  # colour-blind safe (Okabe-Ito), each readable as a fill on white
    "poor": "#c0392b", "near_poor": "#e69f00", "multi": "#0b5cad", "persons": "#56b4e9",
    "decrease": "#009e73", "increase": "#c0392b", "total": "#5b6772", "target": "#1b1f24", "progress": "#0b5cad",
    "met": "#009e73", "on_track": "#e69f00", "not_met": "#c0392b", "unknown": "#9aa4ae",
}
TEXT, MUTED, GRID = "#1b1f24", "#5b6772", "#e1e5e9"
_ids = count(1)


def plain(value: float) -> str:
    """A number with at most two decimals (the default formatter; pages pass one in the reader's locale)."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value (None: not known, with a note saying why), and the page behind it."""

    label: str
    value: float | None
    href: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Series:
    """A named series of a chart, drawn in one colour of PALETTE."""

    name: str
    colour: str
    values: Sequence[float | None] = field(default_factory=tuple)
    hrefs: Sequence[str | None] = field(default_factory=tuple)


@dataclass(frozen=True)
class Step:
    """A row of a flow chart: `kind` is 'total' (drawn from zero), 'decrease' or 'increase' (from the running
    total)."""

    label: str
    value: int
    kind: str
    href: str | None = None


def _n(x: float) -> str:
    """A coordinate, short."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text(x, y, content, *, size=FONT, anchor="start", fill=TEXT, weight=None, cls=None) -> str:
    attrs = f'x="{_n(x)}" y="{_n(y)}"'
    if size != FONT:
        attrs += f' font-size="{size}"'
    if fill != TEXT:
        attrs += f' fill="{fill}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if cls:
        attrs += f' class="{cls}"'
    return f"<text {attrs}>{escape(content)}</text>"


def _rect(x, y, w, h, fill, cls=None) -> str:
    extra = f' class="{cls}"' if cls else ""
    return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(h)}" fill="{fill}"{extra}/>'


def _link(href: str | None, inner: str) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def _svg(height: float, title: str, body: list[str], cls: str) -> str:
    sid = f"ch{next(_ids)}"
    return (f'<svg class="chart {cls}" viewBox="0 0 {WIDTH} {_n(height)}" width="100%" role="img" '
            f'aria-labelledby="{sid}" font-family="system-ui, sans-serif" font-size="{FONT}" fill="{TEXT}" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{sid}">{escape(title)}</title>{"".join(body)}</svg>')


def _table(caption: str, head: Sequence[str], rows: Sequence[Sequence], links: Sequence[str | None] = ()) -> str:
    """The chart's numbers as a table inside a closed <details> (first cell of a row linked when given)."""
    ths = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    trs = []
    for i, row in enumerate(rows):
        first = escape(row[0])
        href = links[i] if i < len(links) else None
        if href:
            first = Markup(f'<a href="{escape(href)}">{first}</a>')
        cells = "".join(f"<td>{escape(c)}</td>" for c in row[1:])
        trs.append(f'<tr><th scope="row">{first}</th>{cells}</tr>')
    return (f'<details class="chart-data"><summary>{escape(caption)}</summary><div class="table-wrap">'
            f'<table><thead><tr>{ths}</tr></thead><tbody>{"".join(trs)}</tbody></table></div></details>')


def _figure(svg: str, table: str, caption: str | None) -> Markup:
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return Markup(f'<figure class="chart-figure">{cap}{svg}{table}</figure>')


def _scale(values, max_value):
    top = max([v for v in values if v is not None] + [max_value or 0, 0])
    return top if top > 0 else 1


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "%", colour: str = "poor", max_value: float | None = None,
              number: Callable = plain, caption: str | None = None, headers: Sequence[str] = ("", ""),
              missing: str = "—", table_title: str = "Numbers") -> Markup:
    """Horizontal bars, one per unit (label above its bar, value at its end), each linking to its households."""
    row_h, bar_h, right = 32, 12, 64
    top = _scale([b.value for b in bars], max_value)
    span = WIDTH - right
    body = []
    for i, b in enumerate(bars):
        y = i * row_h
        parts = [_text(0, y + 12, b.label)]
        if b.value is None:
            parts.append(_text(0, y + 26, f"{missing} {b.note}".strip(), size=11, fill=MUTED))
        else:
            w = span * b.value / top
            parts.append(_rect(0, y + 16, w, bar_h, PALETTE[colour], cls=f"bar {colour}"))
            parts.append(_text(w + 4, y + 26, f"{number(b.value)}{unit}", size=11, weight="600"))
        body.append(_link(b.href, "".join(parts)))
    rows = [(b.label, f"{number(b.value)}{unit}" if b.value is not None else f"{missing} {b.note}".strip())
            for b in bars]
    table = _table(table_title, headers, rows, [b.href for b in bars])
    return _figure(_svg(max(len(bars), 1) * row_h + 4, title, body, "bars"), table, caption)


def grouped_bars(labels: Sequence[str], series: Sequence[Series], *, title: str, unit: str = "%",
                 max_value: float | None = None, number: Callable = plain, caption: str | None = None,
                 first_header: str = "", missing: str = "—", table_title: str = "Numbers") -> Markup:
    """Horizontal bars grouped by label (e.g. the 12 deficit indicators, poor and near-poor), with a legend."""
    bar_h, gap, right = 11, 2, 64
    legend_h = 20
    row_h = 16 + len(series) * (bar_h + gap) + 6
    top = _scale([v for s in series for v in s.values], max_value)
    span = WIDTH - right
    body = _legend(series)
    for i, label in enumerate(labels):
        y = legend_h + i * row_h
        body.append(_text(0, y + 12, label))
        for j, s in enumerate(series):
            v = s.values[i] if i < len(s.values) else None
            by = y + 16 + j * (bar_h + gap)
            href = s.hrefs[i] if i < len(s.hrefs) else None
            if v is None:
                body.append(_text(0, by + bar_h - 1, missing, size=10, fill=MUTED))
                continue
            w = span * v / top
            label = _text(w + 4, by + bar_h - 1, f"{number(v)}{unit}", size=11) if v else \
                _text(2, by + bar_h - 1, "0", size=10, fill=MUTED)
            body.append(_link(href, _rect(0, by, w, bar_h, PALETTE[s.colour], cls=f"bar {s.colour}") + label))
    rows = [(label, *[(f"{number(s.values[i])}{unit}" if i < len(s.values) and s.values[i] is not None else missing)
                      for s in series]) for i, label in enumerate(labels)]
    table = _table(table_title, (first_header, *[s.name for s in series]), rows)
    return _figure(_svg(legend_h + max(len(labels), 1) * row_h, title, body, "grouped"), table, caption)


def _legend(series: Sequence[Series]) -> list[str]:
    """A swatch and the name of each series, in a row along the top."""
    out, x = [], 0
    for s in series:
        out.append(_rect(x, 4, 10, 10, PALETTE[s.colour]))
        out.append(_text(x + 14, 13, s.name, size=11))
        x += 14 + 7 * len(s.name) + 16
    return out


def line_chart(x_labels: Sequence[str], series: Sequence[Series], *, title: str, unit: str = "%",
               number: Callable = plain, caption: str | None = None, first_header: str = "",
               missing: str = "—", breaks: Sequence[int] = (), break_label: str = "",
               table_title: str = "Numbers") -> Markup:
    """Lines over the years (one point per year that has data), value labels at the points; `breaks` are indexes
    of x labels where the series breaks (a new rule set), drawn as a dashed line."""
    height, left, right, top_pad, bottom = 190, 40, 16, 34, 22
    plot_h = height - top_pad - bottom
    top = _scale([v for s in series for v in s.values], None) * 1.15
    n = len(x_labels)
    step = (WIDTH - left - right) / max(n - 1, 1)

    def px(i):
        return left + (i * step if n > 1 else (WIDTH - left - right) / 2)

    def py(v):
        return top_pad + plot_h - plot_h * v / top

    body = _legend(series)
    for k in range(5):
        v = top * k / 4
        y = py(v)
        body.append(f'<line x1="{left}" y1="{_n(y)}" x2="{WIDTH - right}" y2="{_n(y)}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 4, f"{number(round(v, 1))}", size=10, anchor="end", fill=MUTED))
    for i, label in enumerate(x_labels):
        body.append(_text(px(i), height - 6, label, size=11, anchor="middle"))
    for i in breaks:
        if 0 < i < n:
            bx = (px(i - 1) + px(i)) / 2
            body.append(f'<line x1="{_n(bx)}" y1="{top_pad}" x2="{_n(bx)}" y2="{top_pad + plot_h}" stroke="{MUTED}" '
                        f'stroke-dasharray="4 3"/>')
            body.append(_text(bx + 3, top_pad + 10, break_label, size=10, fill=MUTED))
    labels = _spread(series, px, py)
    for k, s in enumerate(series):
        colour = PALETTE[s.colour]
        points = [(px(i), py(v), v, s.hrefs[i] if i < len(s.hrefs) else None, i)
                  for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{_n(a)},{_n(b)}" for a, b, _, _, _ in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for a, b, v, href, i in points:
            anchor = "end" if i == n - 1 and n > 1 else "start" if i == 0 else "middle"
            dx = {"start": 7, "end": -7, "middle": 0}[anchor]
            body.append(_link(href, f'<circle cx="{_n(a)}" cy="{_n(b)}" r="4" fill="{colour}"/>'
                                    + _text(a + dx, labels[k, i], f"{number(v)}{unit}", size=11, anchor=anchor,
                                            fill=colour, weight="600")))
    rows = [(label, *[(f"{number(s.values[i])}{unit}" if i < len(s.values) and s.values[i] is not None else missing)
                      for s in series]) for i, label in enumerate(x_labels)]
    table = _table(table_title, (first_header, *[s.name for s in series]), rows)
    return _figure(_svg(height, title, body, "lines"), table, caption)


def _spread(series, px, py, gap: float = 12) -> dict:
    """The y of each point's value label: just above the point, pushed apart where labels of one year would
    overlap (lowest value at the bottom)."""
    out = {}
    years = {i for s in series for i, v in enumerate(s.values) if v is not None}
    for i in years:
        at = sorted(((py(s.values[i]) - 7, k) for k, s in enumerate(series)
                     if i < len(s.values) and s.values[i] is not None), reverse=True)
        last = None
        for y, k in at:
            if last is not None and y > last - gap:
                y = last - gap
            out[k, i] = y
            last = y
    return out


def flow_chart(steps: Sequence[Step], *, title: str, number: Callable = plain, caption: str | None = None,
               headers: Sequence[str] = ("", ""), table_title: str = "Numbers") -> Markup:
    """A waterfall on its side: the begin total, each decrease and increase from the running total, the end."""
    row_h, bar_h, right = 32, 12, 56
    running, spans = 0, []
    for s in steps:
        if s.kind == "total":
            running = s.value
            spans.append((0, s.value))
        elif s.kind == "decrease":
            spans.append((running - s.value, running))
            running -= s.value
        else:
            spans.append((running, running + s.value))
            running += s.value
    top = _scale([b for _, b in spans], None)
    span = WIDTH - right
    body = []
    for i, (s, (a, b)) in enumerate(zip(steps, spans)):
        y = i * row_h
        sign = {"decrease": "−", "increase": "+"}.get(s.kind, "") if s.value else ""
        x0, w = span * min(a, b) / top, span * abs(b - a) / top
        parts = [_text(0, y + 12, s.label, weight="600" if s.kind == "total" else None),
                 _rect(x0, y + 16, max(w, 1.5 if s.value else 0), bar_h, PALETTE[s.kind], cls=f"bar {s.kind}"),
                 _text(x0 + w + 4, y + 26, f"{sign}{number(s.value)}", size=11, weight="600")]
        body.append(_link(s.href, "".join(parts)))
    rows = [(s.label, ("−" if s.kind == "decrease" else "+" if s.kind == "increase" else "") * bool(s.value)
             + number(s.value)) for s in steps]
    table = _table(table_title, headers, rows, [s.href for s in steps])
    return _figure(_svg(max(len(steps), 1) * row_h + 4, title, body, "flows"), table, caption)


def progress_bar(fraction: float | None, *, title: str, status: str = "unknown", label: str = "") -> Markup:
    """A bar filled to `fraction` (0-1, clipped) of a target, coloured by its status (a line marks the target),
    with an optional text label below."""
    h = 18 + (16 if label else 0)
    body = [_rect(0, 2, WIDTH, 14, GRID)]
    if fraction is not None:
        body.append(_rect(0, 2, WIDTH * min(max(fraction, 0.0), 1.0), 14, PALETTE.get(status, PALETTE["unknown"]),
                          cls=f"bar {status}"))
    body.append(f'<line x1="{WIDTH - 1}" y1="0" x2="{WIDTH - 1}" y2="18" stroke="{PALETTE["target"]}" '
                f'stroke-width="2"/>')
    if label:
        body.append(_text(0, 31, label, size=11, fill=MUTED))
    return Markup(_svg(h, title, body, "progress"))
