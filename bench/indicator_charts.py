"""Measure the dashboard's SVG charts against pygal drawing the same data: bytes per chart and render time.

    .venv/bin/python bench/indicator_charts.py [--repeat 20] [--pygal-path DIR]

pygal is not a dependency of the project: install it aside to compare (`pip install --target /tmp/pygal
pygal==3.1.3`, then `--pygal-path /tmp/pygal`); without it only this module's figures are printed.
Last line: `RESULT key=value ...` (sizes in bytes, times in ms, medians).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.indicators import charts  # noqa: E402


def _data(n: int, rng: random.Random) -> list[tuple[str, float]]:
    """`n` Lạng Sơn-like unit names with rates."""
    return [(f"Xã Thử Nghiệm Số {i + 1}", round(rng.uniform(0, 15), 2)) for i in range(n)]


def ours(kind: str, data) -> str:
    """The chart drawn by server.indicators.charts."""
    if kind == "bars":
        return str(charts.bar_chart([charts.Bar(n, v, href=f"/review?commune={i:05d}&class=poor")
                                     for i, (n, v) in enumerate(data)], title="Tỷ lệ hộ nghèo"))
    if kind == "trend":
        return str(charts.line_chart(["2025", "2026"], [charts.Series(n, c, vals) for n, c, vals in data],
                                     title="Xu hướng"))
    labels = [f"{i}. Chỉ số {i}" for i in range(1, 13)]
    return str(charts.grouped_bars(labels, [charts.Series("Hộ nghèo", "poor", data[0]),
                                            charts.Series("Hộ cận nghèo", "near_poor", data[1])], title="Thiếu hụt"))


def theirs(kind: str, data) -> str:
    """The same chart drawn by pygal with no JavaScript."""
    import pygal

    if kind == "bars":
        chart = pygal.HorizontalBar(js=[], disable_xml_declaration=True, show_legend=False, width=360,
                                    height=32 * len(data) + 60)
        chart.x_labels = [n for n, _ in data]
        chart.add("Tỷ lệ hộ nghèo", [{"value": v, "xlink": f"/review?commune={i:05d}&class=poor"}
                                      for i, (_, v) in enumerate(data)])
    elif kind == "trend":
        chart = pygal.Line(js=[], disable_xml_declaration=True, width=360, height=190)
        chart.x_labels = ["2025", "2026"]
        for name, _, vals in data:
            chart.add(name, vals)
    else:
        chart = pygal.HorizontalBar(js=[], disable_xml_declaration=True, width=360, height=500)
        chart.x_labels = [f"{i}. Chỉ số {i}" for i in range(1, 13)]
        chart.add("Hộ nghèo", data[0])
        chart.add("Hộ cận nghèo", data[1])
    return chart.render(is_unicode=True)


def measure(draw, kind, data, repeat: int) -> tuple[int, int, float]:
    """(bytes of the SVG, bytes with its numbers table, median ms) of drawing the chart `repeat` times."""
    times, out = [], ""
    for _ in range(repeat):
        t = time.perf_counter()
        out = draw(kind, data)
        times.append((time.perf_counter() - t) * 1000)
    svg = out[out.index("<svg"):out.rindex("</svg>") + 6]
    return len(svg.encode()), len(out.encode()), statistics.median(times)


def main() -> None:
    """Print the table and the RESULT line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--pygal-path")
    args = ap.parse_args()
    if args.pygal_path:
        sys.path.insert(0, args.pygal_path)
    try:
        import pygal  # noqa: F401
        have_pygal = True
    except ImportError:
        have_pygal = False
    rng = random.Random(1)
    cases = {"bars65": ("bars", _data(65, rng)), "bars12": ("bars", _data(12, rng)),
             "trend": ("trend", [("Nghèo", "poor", [3.36, 2.32]), ("Cận nghèo", "near_poor", [8.0, 6.8]),
                                 ("Đa chiều", "multi", [11.36, 9.12])]),
             "deficits": ("deficits", ([round(rng.uniform(0, 90), 1) for _ in range(12)],
                                       [round(rng.uniform(0, 60), 1) for _ in range(12)]))}
    result = []
    print(f"{'chart':10} {'ours svg B':>11} {'+table B':>9} {'ours ms':>8} {'pygal B':>9} {'pygal ms':>9}")
    for name, (kind, data) in cases.items():
        size, whole, ms = measure(ours, kind, data, args.repeat)
        line = f"{name:10} {size:>11,} {whole:>9,} {ms:>8.2f}"
        result += [f"{name}_bytes={size}", f"{name}_with_table_bytes={whole}", f"{name}_ms={ms:.2f}"]
        if have_pygal:
            psize, _, pms = measure(theirs, kind, data, args.repeat)
            line += f" {psize:>9,} {pms:>9.2f}"
            result += [f"{name}_pygal_bytes={psize}", f"{name}_pygal_ms={pms:.2f}"]
        print(line)
    print("RESULT " + " ".join(result))


if __name__ == "__main__":
    main()
