"""Scans of signed feuilles d'émargement for the demo: pictures drawn here, clearly fictitious."""

import io
import random
import textwrap

from PIL import Image, ImageDraw, ImageFont

from parcours.reports.pdf import FONT_DIR

#: A page photographed at a modest resolution (A4 proportions): small enough for a demo.
PAGE = (827, 1169)
PAPER = (247, 245, 238)
INK = (32, 48, 96)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def signed_sheet_photo(title: str, when: str, names: list[str], *, seed: int) -> bytes:
    """Return a PNG that looks like a photographed signed sheet, and says it is an example.

    Each name gets a scribble drawn from ``seed``: the same picture every time the demo is
    built.
    """
    scribbles = random.Random(seed)  # noqa: S311 (drawing, not security)
    image = Image.new("RGB", PAGE, PAPER)
    draw = ImageDraw.Draw(image)
    draw.text((60, 50), "Feuille d'émargement signée", font=_font(34, bold=True), fill=(20, 20, 20))
    draw.text(
        (60, 100), textwrap.shorten(title, 58, placeholder=" …"), font=_font(20), fill=(20, 20, 20)
    )
    draw.text((60, 130), when, font=_font(20), fill=(20, 20, 20))
    draw.rectangle((60, 170, PAGE[0] - 60, 215), outline=(180, 30, 30), width=3)
    draw.text(
        (75, 180),
        "EXEMPLE FICTIF — données de démonstration",
        font=_font(20, bold=True),
        fill=(180, 30, 30),
    )
    top, row = 250, 52
    draw.text((60, top), "Nom", font=_font(18, bold=True), fill=(20, 20, 20))
    draw.text((470, top), "Signature", font=_font(18, bold=True), fill=(20, 20, 20))
    for index, name in enumerate(names[:16]):
        y = top + 40 + index * row
        draw.line((60, y + row - 8, PAGE[0] - 60, y + row - 8), fill=(200, 200, 200), width=1)
        draw.text((60, y + 10), name[:32], font=_font(18), fill=(20, 20, 20))
        x, base = 480, y + 28
        points = [(x, base)]
        for _stroke in range(9):
            x += scribbles.randint(12, 26)
            points.append((x, base + scribbles.randint(-16, 10)))
        draw.line(points, fill=INK, width=3, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
