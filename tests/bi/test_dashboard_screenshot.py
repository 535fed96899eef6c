"""`make test-bi` saves a screenshot of the Superset dashboard; this checks it shows something.

Run by `make test-bi` with DASHBOARD_SCREENSHOT set; skipped otherwise (plain `make test` has no Superset).
"""

import os
import struct
import zlib
from collections import Counter
from pathlib import Path

import pytest

SCREENSHOT = os.environ.get("DASHBOARD_SCREENSHOT")


def read_png(path: Path) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel and the unfiltered pixel rows of an 8-bit RGB(A) PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, *_ = header
    assert depth == 8 and color in (2, 6), "expected 8-bit RGB or RGBA"
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, bytearray(), bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows += line
        prev = line
    return width, height, bpp, bytes(rows)


@pytest.mark.skipif(not SCREENSHOT, reason="set by make test-bi")
def test_the_dashboard_screenshot_is_not_blank() -> None:
    width, height, bpp, pixels = read_png(Path(SCREENSHOT))
    assert width >= 800 and height >= 600
    colours = Counter(pixels[i : i + 3] for i in range(0, len(pixels), bpp * 7))  # every 7th pixel
    background, count = colours.most_common(1)[0]
    assert len(colours) > 50, "too few colours: the page did not render charts"
    assert count / sum(colours.values()) < 0.95, "the page is almost all one colour"
