"""Text helpers: Vietnamese sorted in alphabet order (a ă â b c d đ e ê …, tones as a tie-breaker); user text
isolated in a page, so that a direction override inside it (U+202E) cannot reverse the words after it."""

from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

# Marks that make a separate letter (ă, â, ê, ô, ơ, ư) and their order after the plain letter.
_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}
# Tone marks, in the conventional order: ngang (none), huyền, sắc, hỏi, ngã, nặng.
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}


def vi_sort_key(text: str) -> tuple:
    """A key that sorts Vietnamese names as a Vietnamese reader expects ("Bắc Sơn" before "Bình Gia")."""
    letters: list[tuple] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", text.casefold()):
        if ch in _LETTER_MARKS and letters:
            base, _ = letters[-1]
            letters[-1] = (base, _LETTER_MARKS[ch])
        elif ch in _TONES:
            tones.append(_TONES[ch])
        elif ch == "đ":
            letters.append(("d", 9))
        elif not unicodedata.combining(ch):
            letters.append((ch, 0))
            tones.append(0)
    return tuple(letters), tuple(tones)


# FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: the text takes its own direction, and nothing in it runs past.
FSI, PDI = "\u2068", "\u2069"


def bdi(value) -> Markup:
    """User text for a page's body, escaped and isolated from the words around it (<bdi>, its direction its own)."""
    return Markup("<bdi>%s</bdi>") % ("" if value is None else value)


def isolate(value) -> str:
    """User text for where markup cannot go (<title>, <option>): between the isolate characters FSI and PDI."""
    return f"{FSI}{'' if value is None else value}{PDI}"


def sentence(translated: str, **values) -> Markup:
    """A translated sentence (its %(name)s not yet filled) for a page, each text value escaped and isolated."""
    return escape(translated) % {k: bdi(v) if isinstance(v, str) else v for k, v in values.items()}
