"""The collector offline for real: a household filled with the server stopped, kept across a reload and a browser
restart, sent once the server is back, and stored exactly once (also when a sync is cut midway or repeated).

The server is a real process (tests/browser/collect_app.py) that the test kills, as a phone losing its signal
sees it; Chromium keeps its profile in a folder, so closing and reopening the browser is real too.
"""

from __future__ import annotations

import pytest
from collect_app import (MEMBERS, Phone, collector, fill_household, household, local_entries, log_in,
                         queue_records, states, stored, submit_form, wait_for_worker, wait_until)

pytestmark = pytest.mark.browser


def entry_state(page, record_id):
    found = [e for e in local_entries(page) if e["id"] == record_id]
    return found[0]["state"] if found else None


def test_household_filled_offline_survives_reload_and_restart_and_is_stored_once(backend, chromium, playwright,
                                                                                  tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        log_in(page)
        assert wait_for_worker(page).startswith("rasoat-collect-")
        phone.shot("home")

        server.stop()                      # no signal: nothing answers any more
        page.context.set_offline(True)
        page.reload()                      # the shell comes from the service worker
        page.locator("#new-household").click()

        def reload_offline():
            page.reload()

        fill_household(page, reload_after_members=reload_offline)
        phone.shot("summary")
        submit_form(page)
        # Finishing starts a sync at once, which fails without a signal: "sending" for a moment, then "waiting".
        wait_until(lambda: [e["state"] for e in local_entries(page)] == ["waiting"], what="the form to wait")
        [item] = local_entries(page)
        assert [m["name"] for m in item["record"]["members"]] == [m["name"] for m in MEMBERS]
        phone.shot("outbox-offline")

        phone.close()                      # the browser killed; reopened with the same profile, still offline
        page = phone.open()
        page.context.set_offline(True)
        page.goto("/collect/")
        # A start waits up to 10 s for the service worker before it opens the outbox (static/js/collect.js boot()).
        page.locator(f'#outbox [data-id="{item["id"]}"][data-state="waiting"]').wait_for(timeout=30_000)

        server.start()                     # the signal is back
        page.context.set_offline(False)
        wait_until(lambda: entry_state(page, item["id"]) not in ("waiting", "sending"), what="the form to be sent")
        [sent] = local_entries(page)
        assert sent["state"] == "sent", (sent.get("error"), sent["record"])
        page.locator("#sync-now").click()  # a second sync sends nothing again
        wait_until(lambda: page.locator(f'#outbox [data-id="{item["id"]}"][data-state="sent"]').count(),
                   what="the outbox to show it sent")
        phone.shot("outbox-sent")

        forms = stored(server)
        assert [f["id"] for f in forms] == [item["id"]]
        record = forms[0]["record"]
        assert [m["name"] for m in record["members"]] == [m["name"] for m in MEMBERS]
        assert [m["birth_date"] for m in record["members"]] == [m["birth_date"] for m in MEMBERS]
        assert record["income"] == {"method": "actual", "annual_income_vnd": 150_000_000}
        assert record["household_code"] == "TT-007"
        assert record["village_code"] == "C-06529-01" and record["commune_code"] == "06529"
        assert record["interview"]["enumerator"] == "rsv.thuthap"
        phone.close()


def test_a_sync_cut_after_the_server_stored_a_post_and_a_second_sync_store_each_household_once(
        backend, chromium, playwright, tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        phone = Phone(playwright, chromium, tmp_path / "profile", server.url)
        page = phone.open()
        log_in(page)
        records = [household(household_code=f"CUT-{n}") for n in range(3)]
        queue_records(page, records)
        server.hold_marker.write_text("hold")       # the server stores the post, then holds its answer
        page.locator("#sync-now").click()
        stored_marker = server.hold_marker.with_name(server.hold_marker.name + ".stored")
        wait_until(stored_marker.exists, what="the server to store the post")
        server.stop()                                # killed before it answered: the phone never saw a 2xx
        server.hold_marker.unlink()
        wait_until(lambda: set(states(page).values()) == {"waiting"}, what="the forms back in the queue")

        server.start()
        page.locator("#sync-now").click()
        wait_until(lambda: set(states(page).values()) == {"sent"}, what="every form sent")
        page.locator("#sync-now").click()           # sync twice: nothing is sent again
        page.wait_for_timeout(500)
        assert set(states(page).values()) == {"sent"}

        forms = stored(server)
        assert sorted(f["id"] for f in forms) == sorted(r["id"] for r in records)
        assert all(f["version"] == 1 for f in forms)
        phone.close()
