"""Benchmark the form renderer: keystroke to updated screen, live classification included, at 4× CPU throttling.

    .venv/bin/python bench/pwa_keystroke.py [--members 30 50] [--keys 120] [--rate 4]

Chromium (Playwright, /usr/bin/chromium) opens the renderer's test page (tests/browser/form_server.py: the real
household definition and 2022-2026 rule set, the app's CSP) with a roster of N filled members, goes to the
members page (N headings: the roster is an accordion), opens a middle member with a tap on its heading, as the
enumerator does, and types into its fields through CDP key events: the name (text: the record, the member's
heading once typing pauses, the live classification) and a birth year (an integer: the age, the malnutrition
question's relevance, the classification). Per keystroke, the time from the key event's
timestamp to the first frame after it (requestAnimationFrame, then a task: the frame that shows the change) is
taken, and also Chromium's Event Timing `duration` of the keydown/input (to the next paint, 8 ms steps).
With CDP Emulation.setCPUThrottlingRate (rate 4: a cheap phone). The JS heap with the largest roster is read with
CDP Runtime.getHeapUsage after a garbage collection.

`measure(browser, url, members, keys, rate)` is importable (bench/pwa.py): it returns
{"members", "keys", "p50_ms", "p95_ms", "max_ms", "event_p95_ms", "heap_mb"}.
`baseline(browser, url, keys, rate)` times the same keys into a bare input (no renderer) in the same run.
Ends with one line: RESULT keystroke_p95_ms=… keystroke_p95_50_ms=… heap_mb=… baseline_p95_ms=…
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from form_server import FormServer, served_json  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--enable-precise-memory-info"]
MEMBERS_SECTION = "members"

# In the page: time each key from its event's timestamp to the frame after the handlers ran.
PROBE = """
() => {
  window.__lat = [];
  window.__evt = [];
  const mark = (event) => {
    const start = event.timeStamp;
    requestAnimationFrame(() => setTimeout(() => window.__lat.push(performance.now() - start), 0));
  };
  document.addEventListener("keydown", mark, true);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === "keydown") window.__evt.push(e.duration);
  }).observe({ type: "event", durationThreshold: 16, buffered: false });
}
"""


def percentile(values, p):
    """The p-th percentile (nearest rank) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def baseline(browser, url: str, keys: int = 120, rate: float = 4) -> dict:
    """The same keystrokes into a bare text input (no renderer) at the same throttling: what the machine and the
    browser cost by themselves, so a busy machine shows as a high baseline rather than a slow renderer."""
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    try:
        page.goto(f"{url}/harness/bare.html")
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
        page.evaluate(PROBE)
        page.click("#bare")
        for i in range(keys):
            if i % 8 < 4:
                page.keyboard.type("abcd"[i % 4], delay=60)
            else:
                page.keyboard.press("Backspace", delay=60)
        page.wait_for_timeout(400)
        lat = page.evaluate("window.__lat")
        return {"keys": len(lat), "p50_ms": statistics.median(lat), "p95_ms": percentile(lat, 95), "max_ms": max(lat)}
    finally:
        context.close()


def measure(browser, url: str, members: int, keys: int = 120, rate: float = 4, target: int | None = None) -> dict:
    """Type `keys` keystrokes into a roster of `members` under CPU throttling `rate`; return the figures."""
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{url}/harness/harness.html?members={members}")
        page.wait_for_selector("body[data-ready]")
        definition = json.loads(served_json()[0])
        section = next(i for i, s in enumerate(definition["sections"]) if s["key"] == MEMBERS_SECTION)
        page.evaluate(f"window.__form.goTo({section})")
        page.wait_for_selector(".fr-item")
        blocks = page.locator(".fr-item").count()
        assert blocks == members, f"{blocks} member blocks, expected {members}"
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
        page.evaluate(PROBE)
        target = page.locator(".fr-item").nth(members // 2 if target is None else target)
        target.locator(".fr-toggle").click()  # the roster is an accordion: open the member, as the enumerator does
        target.locator("[data-key=name] input").wait_for()
        name = target.locator("[data-key=name] input")
        year = target.locator("[data-key=birth_year] input")
        typed = 0
        while typed < keys:
            name.click()
            page.keyboard.press("End")
            for ch in " Văn":
                page.keyboard.type(ch, delay=60)
                typed += 1
            for _ in range(4):
                page.keyboard.press("Backspace", delay=60)
                typed += 1
            year.click()
            page.keyboard.press("Control+A")
            for ch in "2015":
                page.keyboard.type(ch, delay=60)
                typed += 1
            for ch in "1985":  # back to an adult: two relevance flips per round
                if ch == "1":
                    page.keyboard.press("Control+A")
                page.keyboard.type(ch, delay=60)
                typed += 1
        page.wait_for_timeout(400)
        lat = page.evaluate("window.__lat")
        evt = page.evaluate("window.__evt")
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        cdp.send("HeapProfiler.collectGarbage")
        heap = cdp.send("Runtime.getHeapUsage")
        classified = page.evaluate("window.__form.classification()")
        assert not errors, errors
        assert classified is not None, "the live classification did not run"
        return {"members": members, "keys": len(lat), "p50_ms": statistics.median(lat), "p95_ms": percentile(lat, 95),
                "max_ms": max(lat), "event_p95_ms": percentile(evt, 95) if evt else 0.0,
                "event_over_16ms": len(evt), "heap_mb": heap["usedSize"] / 1e6, "class": classified["class"]}
    finally:
        context.close()


def main() -> None:
    """Run the benchmark and print the figures and the RESULT line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[30, 50])
    parser.add_argument("--keys", type=int, default=120)
    parser.add_argument("--rate", type=float, default=4)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    results = []
    with FormServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            measure(browser, server.url, 5, 16, args.rate)  # warm-up: module compilation, caches
            base = baseline(browser, server.url, args.keys, args.rate)
            print(f"baseline (a bare input, no renderer), {base['keys']} keystrokes at {args.rate:g}x: "
                  f"p50 {base['p50_ms']:.1f} ms, p95 {base['p95_ms']:.1f} ms, max {base['max_ms']:.1f} ms")
            for n in args.members:
                r = measure(browser, server.url, n, args.keys, args.rate)
                results.append(r)
                print(f"{n:>3} members, {r['keys']} keystrokes at {args.rate:g}x CPU throttling: "
                      f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.1f} ms; "
                      f"Event Timing: {r['event_over_16ms']} keydowns over 16 ms, p95 of those "
                      f"{r['event_p95_ms']:.0f} ms; JS heap {r['heap_mb']:.2f} MB; live class {r['class']}; "
                      f"p95 over the baseline's: +{r['p95_ms'] - base['p95_ms']:.1f} ms")
        finally:
            browser.close()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    by = {r["members"]: r for r in results}
    first, last = results[0], results[-1]
    print(f"RESULT keystroke_p95_ms={by.get(30, first)['p95_ms']:.1f} keystroke_p95_50_ms={by.get(50, last)['p95_ms']:.1f} "
          f"heap_mb={by.get(50, last)['heap_mb']:.2f} baseline_p95_ms={base['p95_ms']:.1f}")


if __name__ == "__main__":
    main()
