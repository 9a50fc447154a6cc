"""Reading a coverage chart back from its pixels: how many bars, and how tall each is."""

from __future__ import annotations

import io

from PIL import Image

from bot.coverage_chart import OTHER_COLOUR, PALETTE


def matches_colour(pixel: tuple[int, int, int], colours: list[tuple[int, int, int]]) -> bool:
    return any(all(abs(a - b) <= 12 for a, b in zip(pixel, c, strict=True)) for c in colours)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def bars_in(png: bytes) -> list[int]:
    """The bars of a chart, from its pixels alone: each one's height in pixels, left to right.

    The x axis is the one long dark horizontal line; a bar is a run of series colours along a
    scan line just above it, and its height is how far up its middle column series colours go.
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    colours = [rgb(c) for c in (*PALETTE, OTHER_COLOUR)]

    def dark(x: int, y: int) -> bool:
        return sum(pixels[x, y]) < 150

    axis = max(y for y in range(height) if sum(dark(x, y) for x in range(width)) > width // 2)
    scan = axis - 3
    runs: list[tuple[int, int]] = []
    x = 0
    while x < width:
        if matches_colour(pixels[x, scan], colours):
            begin = x
            while x < width and matches_colour(pixels[x, scan], colours):
                x += 1
            if x - begin >= 4:  # not the grey fringe of the black y axis, which is 1 px
                runs.append((begin, x))
        x += 1
    heights = []
    for begin, end in runs:
        middle, y, gap = (begin + end) // 2, scan, 0
        while y > 0 and gap <= 2:  # a blended row between two stacked outlets is not a gap
            gap = 0 if matches_colour(pixels[middle, y], colours) else gap + 1
            y -= 1
        heights.append(scan - y - gap)
    return heights
