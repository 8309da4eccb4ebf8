"""Benchmark the offline collector in Chromium: first-load bytes, keystroke latency and heap, sync over 3G.

    .venv/bin/python bench/pwa.py [--households 300] [--keys 120] [--skip-keystrokes]

- first_load_kb: bytes transferred (compressed, as the app serves them: CDP Network.loadingFinished
  encodedDataLength) by a fresh phone that opens /collect/, logs in and opens a new household form (the renderer,
  the form definition and the rule set included). The service worker's background precache of the whole app
  shell is printed beside it (it is fetched once, in parallel, and is what makes the next start offline).
- keystroke_p95_ms / keystroke_p95_50_ms / heap_mb: H6's measurement (bench/pwa_keystroke.py `measure`): typing
  into a 30- and a 50-member roster at 4x CPU throttling, live classification included; JS heap with 50. The
  same keys into a bare input (no renderer) are printed as the run's baseline.
- sync_300_s: 300 queued households sent by the collector's own sync (batch calls when the server has them, then
  the pull) over emulated 3G (CDP Network.emulateNetworkConditions: 1.6 Mbps down, 750 kbps up, 150 ms
  latency), against the real app under waitress in a child process on SQLite; every household must end "sent"
  and be stored once. The same sync without emulation is printed as the baseline of the run.

Ends with: RESULT first_load_kb=… keystroke_p95_ms=… keystroke_p95_50_ms=… sync_300_s=… heap_mb=…
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tests", ROOT / "tests" / "browser", ROOT / "bench"):
    sys.path.insert(0, str(extra))

import collect_app as ca  # noqa: E402  (the browser tests' real-server and phone helpers)

CHROMIUM = "/usr/bin/chromium"
THREE_G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
NO_LIMIT = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def first_load(pw, server, tmp: Path) -> tuple[float, float, int]:
    """(KB the page transferred, KB of the worker's precache, number of requests) for a first visit."""
    phone = ca.Phone(pw, CHROMIUM, tmp / "first-load", server.url)
    page = phone.open()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    ca.log_in(page)
    page.locator("#new-household").click()
    page.locator('[data-key="review_year"]').wait_for()
    page.wait_for_timeout(1500)            # the rule engine's modules are imported after the first paint
    page_bytes = sum(sizes.values())
    ca.wait_for_worker(page)
    precache = page.evaluate("""async () => {
        const cache = await caches.open((await caches.keys()).find((n) => n.startsWith('rasoat-collect-')));
        let total = 0;
        for (const request of await cache.keys()) {
            const url = new URL(request.url).pathname;
            const response = await fetch(url + '?bench=' + Math.random(), {headers: {'Accept-Encoding': 'gzip'}});
            total += Number(response.headers.get('Content-Length') || (await response.arrayBuffer()).byteLength);
        }
        return total;
    }""")
    count = len(sizes)
    phone.close()
    return page_bytes / 1024, precache / 1024, count


def sync_time(pw, server, tmp: Path, households: int, conditions: dict, label: str) -> float:
    """Seconds for the collector to send `households` queued records under `conditions`; all must be sent."""
    phone = ca.Phone(pw, CHROMIUM, tmp / f"sync-{label}", server.url)
    page = phone.open()
    ca.log_in(page)
    ca.wait_for_worker(page)
    page.evaluate("async () => { const s = await import('/static/js/lib/sync.js'); await s.syncNow(); }")
    records = [ca.household(household_code=f"BENCH-{label}-{n:03d}") for n in range(households)]
    ca.queue_records(page, records)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", conditions)
    seconds = page.evaluate("""async () => {
        const sync = await import('/static/js/lib/sync.js');
        const t0 = performance.now();
        for (let i = 0; i < 20; i++) {
            const status = await sync.syncNow();
            const outbox = await import('/static/js/lib/outbox.js');
            if ((await outbox.queued()).length === 0 && status.phase === 'idle') break;
            await new Promise((r) => setTimeout(r, 200));
        }
        return (performance.now() - t0) / 1000;
    }""")
    cdp.send("Network.emulateNetworkConditions", NO_LIMIT)
    states = ca.states(page)
    sent = sum(1 for r in records if states.get(r["id"]) == "sent")
    phone.close()
    assert sent == households, f"{label}: only {sent} of {households} households sent"
    return seconds


def keystrokes(pw, keys: int):
    """H6's keystroke measurement at 4x throttling: (p95 with 30, p95 with 50, heap MB with 50). The same keys into
    a bare input (no renderer) are timed in the same run and printed as the baseline."""
    from form_server import FormServer
    from pwa_keystroke import ARGS, baseline, measure

    with FormServer() as server:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            measure(browser, server.url, 5, 16, 4)  # warm-up
            base = baseline(browser, server.url, keys, 4)
            r30 = measure(browser, server.url, 30, keys, 4)
            r50 = measure(browser, server.url, 50, keys, 4)
        finally:
            browser.close()
    print(f"keystrokes: a bare input (baseline, same run), {base['keys']} keys at 4x: p50 {base['p50_ms']:.1f} ms, "
          f"p95 {base['p95_ms']:.1f} ms, max {base['max_ms']:.1f} ms")
    for r in (r30, r50):
        print(f"keystrokes: {r['members']} members, {r['keys']} keys at 4x: p50 {r['p50_ms']:.1f} ms, "
              f"p95 {r['p95_ms']:.1f} ms ({r['p95_ms'] / base['p95_ms']:.1f}x the baseline's), "
              f"max {r['max_ms']:.1f} ms, heap {r['heap_mb']:.2f} MB")
    return r30["p95_ms"], r50["p95_ms"], r50["heap_mb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--keys", type=int, default=120)
    parser.add_argument("--skip-keystrokes", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmpdir, sync_playwright() as pw:
        tmp = Path(tmpdir)
        with ca.collector("sqlite", tmp) as server:
            server.start()
            kb, precache_kb, requests = first_load(pw, server, tmp)
            print(f"first load: {kb:.1f} KB transferred in {requests} requests (goal <= 150 KB); "
                  f"the worker's precache of the whole shell: {precache_kb:.1f} KB (compressed)")
            started = time.monotonic()
            base = sync_time(pw, server, tmp, args.households, NO_LIMIT, "direct")
            slow = sync_time(pw, server, tmp, args.households, THREE_G, "3g")
            print(f"sync of {args.households} queued households: {slow:.1f} s over emulated 3G (goal <= 60 s), "
                  f"{base:.1f} s without emulation (baseline, same run); {time.monotonic() - started:.0f} s in all")
            held = ca.stored(server)
            if len(held) != 2 * args.households or len({f["id"] for f in held}) != len(held):
                raise SystemExit(f"the server holds {len(held)} forms, not each of {2 * args.households} once")
        if args.skip_keystrokes:
            p30 = p50 = heap = float("nan")
        else:
            p30, p50, heap = keystrokes(pw, args.keys)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"RESULT first_load_kb={kb:.1f} keystroke_p95_ms={p30:.1f} keystroke_p95_50_ms={p50:.1f} "
          f"sync_300_s={slow:.1f} heap_mb={heap:.2f}")


if __name__ == "__main__":
    main()
