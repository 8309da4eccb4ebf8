"""Compile every translation catalogue (.po) under server/translations into the .mo files Flask-Babel reads.

The .mo files are build products (not committed). Run after a checkout or after editing a .po:
    .venv/bin/python scripts/compile_translations.py
Prints one summary line on success; on a broken catalogue (a syntax error, or placeholders that differ from
the English source) prints what is wrong and where, writes nothing, and exits with status 1.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "server" / "translations"


class CatalogueError(Exception):
    """A .po file that cannot be compiled; the message names the file and the problems."""


def _read(po_path: Path):
    """Parse one .po file strictly and check each translation against its source; return the catalogue."""
    locale = po_path.parent.parent.name
    try:
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale, domain=po_path.stem, abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{po_path}: cannot be read: {exc}") from exc
    problems = [f"{po_path}:{message.lineno}: msgid {message.id!r}: {error}"
                for message, errors in catalog.check() for error in errors]
    if problems:
        raise CatalogueError("\n".join(problems))
    return catalog


def _write_atomically(catalog, mo_path: Path) -> None:
    """Write the .mo beside the .po through a temporary file, so a running server never reads half a file."""
    fd, tmp = tempfile.mkstemp(dir=mo_path.parent, prefix=f".{mo_path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        os.replace(tmp, mo_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def compile_all(root: Path = TRANSLATIONS) -> tuple[int, int]:
    """Compile every .po under `root` (all are checked before any is written); return (catalogues, messages)."""
    po_paths = sorted(root.glob("*/LC_MESSAGES/*.po"))
    if not po_paths:
        raise CatalogueError(f"no catalogue (*/LC_MESSAGES/*.po) under {root}")
    catalogs = [(path, _read(path)) for path in po_paths]
    messages = 0
    for path, catalog in catalogs:
        _write_atomically(catalog, path.with_suffix(".mo"))
        messages += sum(1 for m in catalog if m.id and m.string and not m.fuzzy)
    return len(catalogs), messages


def main() -> int:
    """Compile, print one summary line, and return the exit status."""
    try:
        count, messages = compile_all()
    except CatalogueError as exc:
        print(f"compile_translations: broken translation catalogue, nothing compiled:\n{exc}", file=sys.stderr)
        return 1
    print(f"compile_translations: compiled {count} catalogue(s), {messages} translated messages, "
          f"under {TRANSLATIONS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
