"""The Vietnamese catalogue is complete, up to date with the sources, compiles, and is what users see first."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import flask_babel
import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "server" / "translations"
POT = TRANSLATIONS / "messages.pot"
VI_PO = TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po"
EXTRACT_HINT = ("run: .venv/bin/pybabel extract -F babel.cfg -o server/translations/messages.pot . && "
                ".venv/bin/pybabel update -i server/translations/messages.pot -d server/translations -l vi, "
                "then translate the new entries in server/translations/vi/LC_MESSAGES/messages.po")


def _load_compiler():
    """Import scripts/compile_translations.py (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("compile_translations", ROOT / "scripts" / "compile_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compiler = _load_compiler()


def _read(path: Path, locale: str | None = None):
    """Parse a .po/.pot file."""
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _ids(catalog) -> set[str]:
    """The msgids of a catalogue (without the header entry)."""
    return {m.id for m in catalog if m.id}


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """Compile the catalogues (cheap, atomic) and drop Flask-Babel's cached translations so pages use them."""
    from server.extensions import babel

    compiler.compile_all()
    # The domain (and its cache, shared by every app) exists once a page has been translated; an earlier test
    # may have cached an empty catalogue if the .mo files were missing when it ran.
    domain = babel.__dict__.get("domain_instance")
    if domain is not None:
        domain.cache.clear()


@pytest.fixture(scope="module")
def fresh_pot(tmp_path_factory) -> Path:
    """The sources re-extracted now, with the project's documented command, into a temporary .pot."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                             "-o", str(out), "."], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.exists(), f"pybabel extract failed:\n{result.stdout}\n{result.stderr}"
    return out


def test_catalogue_compiles():
    count, messages = compiler.compile_all()
    assert count >= 1
    assert messages == len(_ids(_read(VI_PO, "vi")))
    assert VI_PO.with_suffix(".mo").stat().st_size > 0


def test_broken_catalogue_is_refused(tmp_path):
    po = tmp_path / "vi" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    shutil.copy(VI_PO, po)
    text = po.read_text(encoding="utf-8").replace('msgstr "Đã tạo người dùng %(name)s."',
                                                  'msgstr "Đã tạo người dùng %(ten)s."')
    po.write_text(text, encoding="utf-8")
    with pytest.raises(compiler.CatalogueError, match="ten"):
        compiler.compile_all(tmp_path)
    assert not po.with_suffix(".mo").exists()


def test_pot_matches_the_sources(fresh_pot):
    fresh, committed = _ids(_read(fresh_pot)), _ids(_read(POT))
    assert fresh == committed, (f"messages.pot is out of date; new: {sorted(fresh - committed)}, "
                                f"gone: {sorted(committed - fresh)}; {EXTRACT_HINT}")


def test_every_message_has_a_vietnamese_translation(fresh_pot):
    vi = {m.id: m for m in _read(VI_PO, "vi") if m.id}
    source_ids = _ids(_read(fresh_pot)) | _ids(_read(POT))
    missing = sorted(i for i in source_ids if i not in vi)
    empty = sorted(i for i in source_ids if i in vi and not (vi[i].string or "").strip())
    fuzzy = sorted(i for i in source_ids if i in vi and vi[i].fuzzy)
    assert not missing, f"not in the Vietnamese catalogue: {missing}; {EXTRACT_HINT}"
    assert not empty, f"untranslated in Vietnamese: {empty}"
    assert not fuzzy, f"fuzzy (unchecked) Vietnamese translations: {fuzzy}"


def _page(client, method: str, url: str, **kw) -> str:
    """One request's page text. The `session` fixture keeps one app context (so one `g`) for the whole test,
    and Flask-Babel caches the request's locale in `g`: forget it first, as a new request would."""
    flask_babel.refresh()
    return client.open(url, method=method, follow_redirects=True, **kw).get_data(as_text=True)


def test_login_page_is_vietnamese_by_default_and_english_on_request(client):
    page = _page(client, "GET", "/login")
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Tên đăng nhập" in page

    page = _page(client, "POST", "/lang/en", data={"next": "/login"})
    assert '<html lang="en">' in page
    assert "Log in" in page and "Username" in page
    assert "Đăng nhập" not in page

    page = _page(client, "POST", "/lang/vi", data={"next": "/login"})
    assert '<html lang="vi">' in page and "Đăng nhập" in page


def test_lazy_labels_are_translated(client, make_user, login):
    login(make_user("admin", "20"))
    make_user("enumerator", "T-06529-01")
    page = _page(client, "GET", "/admin/users")
    assert "Quản trị viên" in page and "Rà soát viên (cán bộ thôn)" in page
    assert "Nhật ký hệ thống" in page
