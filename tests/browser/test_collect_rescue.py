"""Rescue: the outbox saved to one JSON file (photos inside), loaded on another phone (twice), and both phones
syncing: every household is stored once, with its photo."""

from __future__ import annotations

import json
from datetime import date

import pytest
from collect_app import (ENUMERATOR, Phone, collector, household, local_entries, log_in, make_drafts,
                         states, stored, wait_for_worker, wait_until)

pytestmark = pytest.mark.browser

# A photo made by the browser (canvas → JPEG, as the form's photo question does), kept beside its record.
ADD_PHOTO = """async (id) => {
    const outbox = await import('/static/js/lib/outbox.js');
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 48;
    const g = canvas.getContext('2d'); g.fillStyle = '#0b5cad'; g.fillRect(0, 0, 64, 48);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.8));
    const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const item = await outbox.entry(id);
    item.record.attachments = [{name: 'house-1.jpg', content_type: 'image/jpeg', sha256}];
    await outbox.saveRecord(id, item.record);
    await outbox.savePhoto({record_id: id, name: 'house-1.jpg', content_type: 'image/jpeg', blob});
    return sha256;
}"""


def test_the_outbox_saved_to_a_file_and_loaded_twice_elsewhere_stores_each_household_once(backend, chromium,
                                                                                          playwright, tmp_path):
    with collector(backend, tmp_path) as server:
        server.start()
        first = Phone(playwright, chromium, tmp_path / "phone-1", server.url)
        page = first.open()
        log_in(page)
        wait_for_worker(page)              # the first visit stored the app on the phone (as a cadre waits for it)
        server.stop()                      # the phone is full, or failing, and has no signal
        page.context.set_offline(True)
        queued = [household(household_code=f"RESCUE-{n}") for n in range(2)]
        draft = household(household_code="RESCUE-DRAFT")
        make_drafts(page, queued + [draft])
        sha256 = page.evaluate(ADD_PHOTO, queued[0]["id"])
        page.evaluate("""async (ids) => {
            const outbox = await import('/static/js/lib/outbox.js');
            for (const id of ids) await outbox.enqueue(id);
        }""", [r["id"] for r in queued])
        page.reload()
        with page.expect_download() as download:
            page.locator("#rescue-save").click()
        name = download.value.suggested_filename
        assert name == f"rasoat-{ENUMERATOR[0]}-{date.today().isoformat()}.json"
        saved = tmp_path / name
        download.value.save_as(saved)
        content = json.loads(saved.read_text(encoding="utf-8"))
        assert sorted(e["id"] for e in content["entries"]) == sorted(r["id"] for r in queued + [draft])
        [photo] = content["photos"]
        assert photo["record_id"] == queued[0]["id"] and photo["sha256"] == sha256 and photo["data_base64"]
        first.shot("rescue")

        server.start()
        second = Phone(playwright, chromium, tmp_path / "phone-2", server.url)
        other = second.open()
        log_in(other)
        for expect_new in (3, 0):          # a file loaded twice: each household once
            other.set_input_files("#rescue-file", str(saved))
            other.get_by_text(f"Đã nạp 3 phiếu ({expect_new} mới).").wait_for()
        wait_until(lambda: sorted(states(other).values()) == ["draft", "sent", "sent"],
                   what="the loaded forms sent from the second phone")
        assert len(local_entries(other)) == 3

        page.context.set_offline(False)    # the first phone gets its signal back and sends the same forms
        page.locator("#sync-now").click()
        wait_until(lambda: sorted(states(page).values()) == ["draft", "sent", "sent"],
                   what="the first phone's forms sent")

        forms = stored(server)
        assert sorted(f["id"] for f in forms) == sorted(r["id"] for r in queued)
        assert all(f["version"] == 1 for f in forms)
        photo_form = next(f for f in forms if f["id"] == queued[0]["id"])
        assert photo_form["record"]["attachments"][0]["sha256"] == sha256
        first.close()
        second.close()
