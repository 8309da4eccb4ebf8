"""The collector's public files: the shell, the service worker Flask writes, the manifest, the icons, and the
compressed, long-cached static files."""

from __future__ import annotations

import gzip
import json
import re
import struct

import pytest

from server.collect import assets, views


def test_the_shell_is_public_vietnamese_and_loads_versioned_files(client):
    response = client.get("/collect/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert 'rel="manifest" href="/collect/manifest.webmanifest"' in html
    collect_js = assets.file_hash(assets.STATIC / "js/collect.js")
    assert f'src="/static/js/collect.js?v={collect_js}"' in html and 'type="module"' in html
    assert 'data-worker="/collect/sw.js"' in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self';")  # no inline script
    assert "Set-Cookie" not in response.headers


def _worker(client):
    response = client.get("/collect/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    text = response.get_data(as_text=True)
    entries = json.loads(re.search(r"const ENTRIES = (\[.*?\]);\n", text, re.S).group(1))
    cache = re.search(r'const CACHE = "([^"]+)";', text).group(1)
    return response, text, dict(entries), cache


def test_the_worker_precaches_the_app_shell_under_a_cache_name_made_of_their_hashes(client):
    response, text, entries, cache = _worker(client)
    assert response.headers["Service-Worker-Allowed"] == "/collect/"
    collector = [assets.STATIC / "js/collect.js", *assets.STATIC.glob("js/lib/**/*.js"),
                 *assets.STATIC.glob("js/poverty/**/*.js")]
    # What the collector imports is all there; the supervisors' page script is not (nothing offline needs it).
    assert "/static/js/review.js" not in entries
    for path in sorted(collector) + [assets.STATIC / "vendor/idb-8.0.4.js",
                                                            assets.STATIC / "collect/strings.json",
                                                            assets.STATIC / "css/collect.css"]:
        url = f"/static/{path.relative_to(assets.STATIC).as_posix()}"
        assert entries[url] == assets.file_hash(path), url
    assert {"/collect/", "/collect/manifest.webmanifest", "/collect/icon-192.png", "/collect/icon-512.png"} <= set(entries)
    assert cache == f"rasoat-collect-{views.release([[u, v] for u, v in entries.items()])}"
    # It never answers a request other than GET, and never opens IndexedDB (an update cannot touch the outbox).
    assert "if (request.method !== 'GET') return;" in text
    assert "indexedDB" not in text.replace("IndexedDB", "")
    assert "skipWaiting()" in text and "event.data.type === 'apply-update'" in text


def test_the_public_json_of_forms_and_rule_sets_is_precached_when_the_app_serves_it(app, client):
    _, _, entries, _ = _worker(client)
    adapter = app.url_map.bind("localhost")
    for url in ("/api/v1/rule-sets", "/api/v1/rule-sets/2022-2026", "/api/v1/forms/household"):
        try:
            adapter.match(url, method="GET")
        except Exception:  # noqa: BLE001 - a route another part of the app has not added yet
            assert url not in entries
        else:
            assert url in entries


def test_a_changed_file_gives_a_new_cache_name(client, monkeypatch):
    _, _, _, before = _worker(client)
    original = assets.file_hash
    strings = assets.STATIC / "collect/strings.json"
    monkeypatch.setattr(assets, "file_hash", lambda p: "0" * 16 if p == strings else original(p))
    _, _, entries, after = _worker(client)
    assert entries["/static/collect/strings.json"] == "0" * 16
    assert after != before


def test_the_manifest_makes_the_collector_installable(client):
    response = client.get("/collect/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    body = response.get_json(force=True)
    assert (body["start_url"], body["scope"], body["display"], body["lang"]) == ("/collect/", "/collect/",
                                                                                 "standalone", "vi")
    assert body["name"] and body["theme_color"].startswith("#")
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}


@pytest.mark.parametrize("size", [192, 512])
def test_the_icons_are_png_of_their_size(client, size):
    response = client.get(f"/collect/icon-{size}.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    data = response.data
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (size, size)


def test_an_unknown_icon_size_is_not_found(client):
    assert client.get("/collect/icon-64.png").status_code == 404


def test_static_files_are_gzipped_for_clients_that_accept_it(client):
    path = assets.STATIC / "js/collect.js"
    plain = client.get("/static/js/collect.js")
    assert "Content-Encoding" not in plain.headers and plain.data == path.read_bytes()
    plain.close()
    packed = client.get("/static/js/collect.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == path.read_bytes()
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)


def test_a_file_asked_for_with_its_hash_is_cached_for_a_year_and_another_is_revalidated(client):
    path = assets.STATIC / "css/collect.css"
    with client.get(f"/static/css/collect.css?v={assets.file_hash(path)}") as current:
        assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/css/collect.css?v=0000000000000000") as stale:
        assert "immutable" not in stale.headers.get("Cache-Control", "")
    with client.get("/static/css/collect.css") as bare:
        assert "immutable" not in bare.headers.get("Cache-Control", "")


def test_the_vendored_idb_is_a_self_contained_module_with_its_licence():
    source = (assets.STATIC / "vendor/idb-8.0.4.js").read_text(encoding="utf-8")
    assert "export { deleteDB, openDB, unwrap, wrap };" in source
    assert not re.search(r"^\s*import\s", source, re.M) and "fetch(" not in source  # nothing fetched at run time
    assert "ISC" in (assets.STATIC / "vendor/idb-8.0.4.LICENSE").read_text(encoding="utf-8")
