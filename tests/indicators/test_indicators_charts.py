"""The SVG charts: well-formed, scaled to their numbers, escaped, linked, with their numbers in a table, and free
of anything the Content-Security-Policy blocks (script, style element, style attribute)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from server.indicators import charts

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & Bản "Nà"'

# The shape of one row of server.indicators' table (issue 12 item 6 and the richer keys), as the pages read it.
ROW = {"code": "06529", "name": "Xã Lộc Bình", "level": "commune", "households": 180, "poor": 4, "near_poor": 9,
       "poor_rate": 4 * 100 / 180, "near_poor_rate": 9 * 100 / 180, "multidimensional_rate": 13 * 100 / 180,
       "deficits_poor_pct": {str(k): (k * 7) % 101 for k in range(1, 13)},
       "deficits_near_poor_pct": {str(k): (k * 3) % 50 for k in range(1, 13)},
       "flows_poor": {"begin": 6, "escaped_to_near_poor": 2, "escaped_above_near_poor": 1, "other_decrease": 1,
                      "near_poor_to_poor": 1, "fell_back": 0, "newly_poor": 1, "other_increase": 0, "end": 4}}


def svg_of(markup) -> ET.Element:
    """The <svg> element of a chart's markup, parsed as XML (fails on anything not well-formed)."""
    text = str(markup)
    return ET.fromstring(text[text.index("<svg"):text.index("</svg>") + 6])


def figure_of(markup) -> ET.Element:
    """The whole <figure> (SVG and numbers table) parsed as XML."""
    return ET.fromstring(str(markup))


def bars_of(svg: ET.Element) -> list[ET.Element]:
    return [r for r in svg.iter(f"{SVG}rect") if "bar" in (r.get("class") or "")]


def test_bar_lengths_follow_the_values_and_the_largest_fills_the_drawing():
    bars = [charts.Bar("Thôn A", 2.0), charts.Bar("Thôn B", 8.0), charts.Bar("Thôn C", 4.0)]
    svg = svg_of(charts.bar_chart(bars, title="Tỷ lệ hộ nghèo"))
    widths = [float(r.get("width")) for r in bars_of(svg)]
    assert widths[1] == max(widths) and widths[1] > 200
    assert widths[0] / widths[1] == pytest.approx(0.25, abs=0.01)
    assert widths[2] / widths[1] == pytest.approx(0.5, abs=0.01)
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text == "Tỷ lệ hộ nghèo"
    assert svg.get("aria-labelledby") == svg.find(f"{SVG}title").get("id")


def test_a_missing_rate_is_no_bar_but_a_dash_and_its_reason():
    markup = str(charts.bar_chart([charts.Bar("Thôn A", None, note="chưa có số hộ"), charts.Bar("Thôn B", 1.5)],
                                  title="t"))
    svg = svg_of(markup)
    assert len(bars_of(svg)) == 1
    assert "— chưa có số hộ" in "".join(svg.itertext())
    assert "<td>— chưa có số hộ</td>" in markup


def test_names_and_links_are_escaped_in_the_drawing_and_the_table():
    markup = str(charts.bar_chart([charts.Bar(EVIL, 3.0, href='/review?commune=1&class=poor"><script>')],
                                  title=EVIL, headers=(EVIL, "%")))
    assert "<script>" not in markup
    figure = figure_of(markup)  # well-formed: nothing broke out of its attribute or element
    texts = "".join(figure.itertext())
    assert EVIL in texts
    links = [a for a in figure.iter() if a.tag.endswith("a")]
    assert links and all(a.get("href") == '/review?commune=1&class=poor"><script>' for a in links)


def test_every_chart_has_its_numbers_in_a_table_for_screen_readers():
    markup = charts.bar_chart([charts.Bar("Thôn A", 2.5, href="/x"), charts.Bar("Thôn B", 0.0)], title="t",
                              headers=("Thôn", "Tỷ lệ"), table_title="Số liệu")
    figure = figure_of(markup)
    details = figure.find("details")
    assert details is not None and details.find("summary").text == "Số liệu"
    rows = [["".join(c.itertext()) for c in tr] for tr in details.iter("tr")]
    assert rows == [["Thôn", "Tỷ lệ"], ["Thôn A", "2.5%"], ["Thôn B", "0%"]]


@pytest.mark.parametrize("make", [
    lambda: charts.bar_chart([charts.Bar("A", 1.0, href="/a")], title="t"),
    lambda: charts.grouped_bars(["1. Việc làm"], [charts.Series("Nghèo", "poor", [50.0], ["/a"])], title="t"),
    lambda: charts.line_chart(["2025", "2026"], [charts.Series("Nghèo", "poor", [3.0, 2.0])], title="t"),
    lambda: charts.flow_chart([charts.Step("Đầu kỳ", 3, "total"), charts.Step("Cuối kỳ", 3, "total")], title="t"),
    lambda: charts.progress_bar(0.5, title="t", status="on_track"),
])
def test_no_chart_carries_a_script_or_a_style_the_policy_would_block(make):
    markup = str(make())
    assert "<script" not in markup and "<style" not in markup and " style=" not in markup
    assert "javascript:" not in markup and not re.search(r"\son\w+=", markup)
    svg_of(markup)


def test_the_deficit_profile_draws_both_classes_for_each_indicator_from_the_row():
    numbers = sorted(ROW["deficits_poor_pct"], key=int)
    series = [charts.Series("Hộ nghèo", "poor", [ROW["deficits_poor_pct"][n] for n in numbers],
                            [f"/review?deficit={n}&class=poor" for n in numbers]),
              charts.Series("Hộ cận nghèo", "near_poor", [ROW["deficits_near_poor_pct"][n] for n in numbers])]
    markup = charts.grouped_bars([f"{n}. Chỉ số {n}" for n in numbers], series, title="t", max_value=100)
    svg = svg_of(markup)
    bars = bars_of(svg)
    nonzero = sum(1 for s in series for v in s.values if v)
    assert len(bars) == 2 * len(numbers) and sum(1 for b in bars if float(b.get("width")) > 0) == nonzero
    # On a 0-100 scale: a bar's width is its share of the drawing's bar span, the same for every bar.
    values = [v for i in range(12) for v in (series[0].values[i], series[1].values[i])]
    top = max(range(len(values)), key=values.__getitem__)
    span = float(bars[top].get("width")) / values[top]  # per percentage point, from the longest bar
    assert all(float(b.get("width")) == pytest.approx(span * v, abs=0.1) for b, v in zip(bars, values))
    linked = [a.get("href") for a in svg.iter(f"{SVG}a")]
    assert linked == [f"/review?deficit={n}&class=poor" for n in numbers]
    table = figure_of(markup).find("details")
    assert len(list(table.iter("tr"))) == 13


def test_the_flow_chart_walks_from_begin_to_end_by_the_identity():
    f = ROW["flows_poor"]
    steps = [charts.Step("begin", f["begin"], "total")]
    steps += [charts.Step(k, f[k], "decrease") for k in ("escaped_to_near_poor", "escaped_above_near_poor",
                                                         "other_decrease")]
    steps += [charts.Step(k, f[k], "increase") for k in ("near_poor_to_poor", "fell_back", "newly_poor",
                                                        "other_increase")]
    steps.append(charts.Step("end", f["end"], "total"))
    svg = svg_of(charts.flow_chart(steps, title="t"))
    bars = bars_of(svg)
    unit = float(bars[0].get("width")) / f["begin"]
    # Each change starts where the running total stands; the last bar (the end) equals where the walk arrives.
    running = f["begin"]
    for step, bar in zip(steps[1:-1], bars[1:-1]):
        x, w = float(bar.get("x")), float(bar.get("width"))
        if step.kind == "decrease":
            running -= step.value
            assert x == pytest.approx(running * unit, abs=0.1)
        else:
            assert x == pytest.approx(running * unit, abs=0.1)
            running += step.value
        assert w == pytest.approx(max(step.value * unit, 1.5 if step.value else 0), abs=0.1)
    assert running == f["end"]
    assert float(bars[-1].get("width")) == pytest.approx(f["end"] * unit, abs=0.1)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "−2" in texts and "+1" in texts


def test_the_trend_marks_the_years_where_the_rule_set_changes():
    markup = charts.line_chart(["2025", "2026", "2027"], [charts.Series("Nghèo", "poor", [3.36, 2.32, 5.1]),
                                                          charts.Series("Cận nghèo", "near_poor", [8.0, None, 7.0])],
                               title="t", breaks=[2], break_label="chuẩn mới")
    svg = svg_of(markup)
    dashed = [line for line in svg.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1
    xs = {t.text: float(t.get("x")) for t in svg.iter(f"{SVG}text") if t.text in ("2026", "2027")}
    assert xs["2026"] < float(dashed[0].get("x1")) < xs["2027"]
    assert "chuẩn mới" in "".join(svg.itertext())
    # A year without a value is no point: 3 poor points + 2 near-poor.
    assert len(list(svg.iter(f"{SVG}circle"))) == 5
    assert "<td>—</td>" in str(markup)


def test_one_year_only_is_drawn_as_points_without_a_line():
    svg = svg_of(charts.line_chart(["2025"], [charts.Series("Nghèo", "poor", [2.0])], title="t"))
    assert not list(svg.iter(f"{SVG}polyline")) and len(list(svg.iter(f"{SVG}circle"))) == 1


@pytest.mark.parametrize("fraction,share", [(0.5, 0.5), (1.7, 1.0), (-0.2, 0.0), (None, None)])
def test_a_progress_bar_is_clipped_to_the_target(fraction, share):
    bars = bars_of(svg_of(charts.progress_bar(fraction, title="t", status="met")))
    if share is None:
        assert not bars
    else:
        assert float(bars[0].get("width")) == pytest.approx(share * charts.WIDTH)


def test_a_chart_of_a_province_stays_small():
    bars = [charts.Bar(f"Xã Thử Nghiệm Số {i}", i / 7, href=f"/review?commune={i:05d}&class=poor")
            for i in range(65)]
    markup = str(charts.bar_chart(bars, title="t"))
    svg = markup[markup.index("<svg"):markup.index("</svg>")]
    assert len(svg.encode()) < 20_000  # about 250 bytes a unit, links included (pygal: about 900)
