"""The collector's app icons, drawn once in memory as PNG (no image library): a white house on the header blue."""

from __future__ import annotations

import functools
import struct
import zlib

SIZES = (192, 512)
THEME = (0x0B, 0x5C, 0xAD)  # the theme colour of the whole app (views.THEME_COLOUR)
WHITE = (0xFF, 0xFF, 0xFF)


def _inside_house(x: float, y: float) -> bool:
    """Whether the point (in 0..1 units of the icon) lies on the house: a roof triangle over a square body."""
    if 0.24 <= x <= 0.76 and 0.48 <= y <= 0.78:
        return not (0.44 <= x <= 0.56 and 0.62 <= y <= 0.78)  # the door
    # Roof: apex (0.5, 0.2), eaves at y = 0.5 from x = 0.16 to 0.84.
    return 0.2 <= y <= 0.5 and abs(x - 0.5) <= (y - 0.2) / 0.3 * 0.34


def _pixel(x: float, y: float) -> tuple[int, int, int]:
    """The colour of one point: the house white on the theme colour (the whole square is painted, for maskable)."""
    return WHITE if _inside_house(x, y) else THEME


@functools.cache
def png(size: int) -> bytes:
    """The icon as a PNG of size × size pixels (RGB, 8 bits)."""
    rows = bytearray()
    for j in range(size):
        rows.append(0)  # filter type 0 for each scanline
        y = (j + 0.5) / size
        for i in range(size):
            rows.extend(_pixel((i + 0.5) / size, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))
