"""Read generated PDFs back in tests: their text and the fonts they embed."""

from io import BytesIO

from pypdf import PdfReader


def read_pdf(content: bytes) -> tuple[PdfReader, str]:
    """Return the PDF reader of ``content`` and its text, whitespace collapsed."""
    assert content.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def embedded_fonts(reader: PdfReader) -> set[tuple[str, bool]]:
    """Return the (font name, embedded?) pairs used on the pages of ``reader``."""
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            names.add((str(font["/BaseFont"]).split("+")[-1], embedded))
    return names
