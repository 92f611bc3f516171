"""Small files of every kind, made here, for tests of uploads (any domain may use them)."""

import io
import struct
import zipfile
import zlib

from PIL import Image
from reportlab.pdfgen import canvas
from werkzeug.datastructures import FileStorage


def png(width: int = 40, height: int = 30, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def transparent_png(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width: int = 40, height: int = 30, *, orientation: int | None = None) -> bytes:
    """A JPEG; ``orientation`` sets its EXIF Orientation (6: to be turned 90° clockwise)."""
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), (30, 120, 200))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def webp(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 200, 30)).save(buffer, "WEBP")
    return buffer.getvalue()


def pdf(text: str = "Feuille d'émargement (exemple fictif)") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)  # the same bytes every time
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            info = zipfile.ZipInfo(name)
            # OpenDocument keeps its mimetype member first and uncompressed.
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def _ooxml(main_content_type: str, part: str) -> bytes:
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_content_type}"/></Types>'
    )
    return _zip(
        [
            ("[Content_Types].xml", types.encode()),
            ("_rels/.rels", b"<Relationships/>"),
            (part, b"<document/>"),
        ]
    )


def docx() -> bytes:
    return _ooxml(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "word/document.xml",
    )


def xlsx() -> bytes:
    return _ooxml(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "xl/workbook.xml",
    )


def pptx() -> bytes:
    return _ooxml(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "ppt/presentation.xml",
    )


def docm() -> bytes:
    """A Word document with macros: not accepted."""
    return _ooxml("application/vnd.ms-word.document.macroEnabled.main+xml", "word/document.xml")


def _odf(mimetype: str) -> bytes:
    return _zip([("mimetype", mimetype.encode()), ("content.xml", b"<office:document/>")])


def odt() -> bytes:
    return _odf("application/vnd.oasis.opendocument.text")


def ods() -> bytes:
    return _odf("application/vnd.oasis.opendocument.spreadsheet")


def odp() -> bytes:
    return _odf("application/vnd.oasis.opendocument.presentation")


def plain_zip() -> bytes:
    return _zip([("notes.txt", b"rien d'un document")])


def exe() -> bytes:
    """The start of a Windows executable: « MZ », then the PE header it points to."""
    header = bytearray(256)
    header[0:2] = b"MZ"
    header[0x3C:0x40] = struct.pack("<I", 0x80)
    header[0x80:0x84] = b"PE\x00\x00"
    return bytes(header) + b"\x00" * 512


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def truncated_png() -> bytes:
    """A PNG cut in the middle of its image data: the header reads, the pixels do not."""
    noisy = io.BytesIO()
    Image.effect_noise((200, 200), 64).convert("RGB").save(noisy, "PNG")
    return noisy.getvalue()[: len(noisy.getvalue()) // 2]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A few hundred bytes that say « 30 000 × 30 000 pixels »: 900 million to decode."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, grey
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(row * 8, 9))
        + _chunk(b"IEND", b"")
    )


def upload(content: bytes, filename: str, content_type: str = "application/octet-stream"):
    """Return ``content`` as a browser's upload named ``filename`` (its claimed type ignored)."""
    return FileStorage(stream=io.BytesIO(content), filename=filename, content_type=content_type)
