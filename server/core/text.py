"""Text helpers for Vietnamese: sorting in alphabet order (a ă â b c d đ e ê …), tones as a tie-breaker."""

from __future__ import annotations

import unicodedata

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
