#!/usr/bin/env python3
"""Draws the companion app's PNG icons (issue 19) with the standard library only, the same
picture as app/icons/icon.svg: a white card with a tick on the theme blue, full-bleed so the
icon also works masked. Run from the repository root: python3 scripts/app_icons.py"""
import struct
import zlib

BLUE = (0x1D, 0x4F, 0x91)
WHITE = (0xFF, 0xFF, 0xFF)


def inside_card(x, y):
    """The white card: a rounded square from 0.25 to 0.75, corner radius 0.06 (SVG units / 100)."""
    lo, hi, r = 0.25, 0.75, 0.06
    if not (lo <= x <= hi and lo <= y <= hi):
        return False
    cx = min(max(x, lo + r), hi - r)
    cy = min(max(y, lo + r), hi - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def near_segment(x, y, a, b, width):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    px, py = ax + t * dx, ay + t * dy
    return (x - px) ** 2 + (y - py) ** 2 <= (width / 2) ** 2


def colour(x, y):
    if not inside_card(x, y):
        return BLUE
    tick = [(0.36, 0.51), (0.46, 0.61), (0.65, 0.41)]
    if near_segment(x, y, tick[0], tick[1], 0.07) or near_segment(x, y, tick[1], tick[2], 0.07):
        return BLUE
    return WHITE


def png(size, samples=3):
    rows = []
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0, 0, 0]
            for sj in range(samples):
                for si in range(samples):
                    c = colour((i + (si + 0.5) / samples) / size, (j + (sj + 0.5) / samples) / size)
                    for k in range(3):
                        acc[k] += c[k]
            row.extend(round(a / samples**2) for a in acc)
        rows.append(bytes(row))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    for size in (192, 512):
        with open(f"app/icons/icon-{size}.png", "wb") as out:
            out.write(png(size))
