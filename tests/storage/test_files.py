"""The storage contract: types read from the bytes, limits, hashes, thumbnails, downloads."""

import hashlib
import io

import pytest
from PIL import Image
from sqlalchemy import select

from parcours.core.extensions import db
from parcours.storage import files
from parcours.storage.models import StoredFile
from tests.storage import samples
from tests.storage.samples import upload

OOXML = "application/vnd.openxmlformats-officedocument"
ODF = "application/vnd.oasis.opendocument"


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (samples.png(), "photo.png", "image/png"),
        (samples.jpeg(), "photo.jpg", "image/jpeg"),
        (samples.webp(), "photo.webp", "image/webp"),
        (samples.pdf(), "compte-rendu.pdf", "application/pdf"),
        (samples.docx(), "compte-rendu.docx", f"{OOXML}.wordprocessingml.document"),
        (samples.xlsx(), "budget.xlsx", f"{OOXML}.spreadsheetml.sheet"),
        (samples.pptx(), "restitution.pptx", f"{OOXML}.presentationml.presentation"),
        (samples.odt(), "notes.odt", f"{ODF}.text"),
        (samples.ods(), "tableau.ods", f"{ODF}.spreadsheet"),
        (samples.odp(), "diaporama.odp", f"{ODF}.presentation"),
        # The bytes decide, whatever the name says.
        (samples.png(), "plan.pdf", "image/png"),
        (samples.xlsx(), "lettre.docx", f"{OOXML}.spreadsheetml.sheet"),
        (samples.odt(), "sans-extension", f"{ODF}.text"),
    ],
)
def test_the_type_is_read_from_the_bytes(ctx, content, name, expected):
    assert files.check(upload(content, name, "application/pdf")) == expected


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (samples.exe(), "plan.pdf"),
        (samples.exe(), "plan.exe"),
        (samples.html(), "plan.pdf"),
        (samples.html(), "page.html"),
        (samples.plain_zip(), "archive.docx"),
        (samples.docm(), "macros.docx"),  # a Word document with macros is not accepted
        (b"%!PS-Adobe-3.0\n", "affiche.pdf"),
        (b"GIF89a" + b"\x00" * 40, "anim.png"),
    ],
)
def test_other_types_are_refused_whatever_their_name(ctx, content, name):
    with pytest.raises(files.Refused) as refused:
        files.check(upload(content, name, "application/pdf"))
    assert refused.value.message == (
        f"« {name} » n'est pas accepté : seuls les photos (JPEG, PNG, WebP), les PDF et les "
        "documents bureautiques (Word, Excel, PowerPoint, OpenDocument) le sont."
    )


def test_scans_are_pdf_jpeg_or_png_only(ctx):
    assert files.check(upload(samples.pdf(), "s.pdf"), kinds=files.SCAN_KINDS) == "application/pdf"
    assert files.check(upload(samples.jpeg(), "s.jpg"), kinds=files.SCAN_KINDS) == "image/jpeg"
    for content, name in ((samples.webp(), "s.webp"), (samples.docx(), "s.docx")):
        with pytest.raises(files.Refused) as refused:
            files.check(upload(content, name), kinds=files.SCAN_KINDS)
        assert refused.value.message == (
            f"« {name} » n'est pas accepté : seuls les photos (JPEG, PNG) et les PDF le sont."
        )


def test_an_empty_file_is_refused(ctx):
    with pytest.raises(files.Refused) as refused:
        files.check(upload(b"", "vide.pdf"))
    assert refused.value.message == "« vide.pdf » est vide."


def test_the_size_limit_reads_no_more_than_one_byte_past_it(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PARCOURS_MAX_UPLOAD_MB", 1)
    limit = 1024 * 1024
    at_limit = samples.pdf() + b"\n" * (limit - len(samples.pdf()))
    assert files.check(upload(at_limit, "juste.pdf")) == "application/pdf"

    class Counting(io.BytesIO):
        asked = 0

        def read(self, size=-1):
            Counting.asked = max(Counting.asked, size)
            assert size != -1, "the whole stream must never be read"
            return super().read(size)

    big = upload(b"", "photo.jpg")
    big.stream = Counting(samples.jpeg() + b"\x00" * (5 * limit))
    with pytest.raises(files.Refused) as refused:
        files.check(big)
    assert refused.value.message == "« photo.jpg » dépasse la taille maximale de 1 Mo."
    assert Counting.asked == limit + 1
    assert big.stream.tell() == 0


def test_the_default_limit_is_ten_megabytes(ctx):
    assert files.max_upload_bytes() == 10 * 1024 * 1024
    content = samples.pdf() + b"\n" * (10 * 1024 * 1024)
    with pytest.raises(files.Refused, match="dépasse la taille maximale de 10 Mo"):
        files.check(upload(content, "photo.jpg"))


def test_check_rewinds_the_stream(ctx):
    sent = upload(samples.pdf(), "a.pdf")
    sent.stream.read(10)
    files.check(sent)
    assert sent.stream.tell() == 0
    assert sent.stream.read() == samples.pdf()


def test_store_records_the_bytes_their_hash_and_who_sent_them(ctx, create_user):
    user_id = create_user()
    content = samples.pdf()
    stored = files.store(upload(content, "Compte rendu S1.pdf", "text/html"), user_id=user_id)
    assert stored.id is not None  # flushed
    db.session.expire_all()
    row = db.session.get(StoredFile, stored.id)
    assert row.filename == "Compte rendu S1.pdf"
    assert row.content_type == "application/pdf"  # the browser's claim is ignored
    assert row.size == len(content)
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    assert row.data == content
    assert row.uploaded_by_id == user_id
    assert row.thumbnail_id is None  # no thumbnail for a PDF


def test_store_never_commits(ctx):
    files.store(upload(samples.pdf(), "a.pdf"), user_id=None)
    db.session.rollback()
    assert db.session.scalars(select(StoredFile)).all() == []


def test_a_photo_gets_an_upright_thumbnail_of_320_pixels_at_most(ctx):
    # 1200 × 800 as stored, to be turned a quarter: 800 wide, 1200 high on screen.
    stored = files.store(upload(samples.jpeg(1200, 800, orientation=6), "IMG.JPG"), user_id=None)
    thumbnail = stored.thumbnail
    assert thumbnail is not None and stored.thumbnail_id == thumbnail.id
    assert thumbnail.content_type == "image/jpeg"
    assert thumbnail.filename == "IMG (miniature).jpg"
    assert thumbnail.sha256 == hashlib.sha256(thumbnail.data).hexdigest()
    image = Image.open(io.BytesIO(thumbnail.data))
    assert image.format == "JPEG"
    assert image.size == (213, 320)  # upright, the longest side 320


def test_a_file_checked_by_its_form_is_read_and_decoded_once(ctx, monkeypatch):
    made = []
    real = files._thumbnail
    monkeypatch.setattr(files, "_thumbnail", lambda *args: made.append(args) or real(*args))
    photo = upload(samples.jpeg(600, 400), "vue.jpg")
    assert files.check(photo) == "image/jpeg"
    stored = files.store(photo, user_id=None)
    assert len(made) == 1, "the store reuses what the check read"
    assert stored.thumbnail is not None
    other = upload(samples.jpeg(600, 400), "autre.jpg")
    files.check(other, kinds=files.SCAN_KINDS)
    files.store(other, user_id=None)  # other kinds: read again, as they may refuse otherwise
    assert len(made) == 3


@pytest.mark.parametrize(
    "content", [samples.png(2000, 100), samples.webp(), samples.transparent_png()]
)
def test_every_kind_of_image_gets_a_thumbnail(ctx, content):
    stored = files.store(upload(content, "image"), user_id=None)
    image = Image.open(io.BytesIO(stored.thumbnail.data))
    assert max(image.size) <= 320
    assert image.mode == "RGB"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (samples.truncated_png(), "« abîmée.png » est une image illisible ou abîmée."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "« abîmée.png » est une image illisible ou abîmée."),
        # Past Pillow's limit, and past twice the limit (where it raises rather than warns).
        (
            samples.bomb_png(10_000, 10_000),
            "« abîmée.png » est une image trop grande pour être lue.",
        ),
        (samples.bomb_png(), "« abîmée.png » est une image trop grande pour être lue."),
    ],
)
def test_corrupt_images_and_decompression_bombs_are_refused(ctx, content, message):
    with pytest.raises(files.Refused) as refused:
        files.store(upload(content, "abîmée.png"), user_id=None)
    assert refused.value.message == message
    assert db.session.scalars(select(StoredFile)).all() == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C:\\Users\\ana\\Documents\\Photo  été.JPG", "Photo été.JPG"),
        ("../../etc/passwd", "passwd"),
        ("rapport\u202egpj.exe", "rapportgpj.exe"),  # no right-to-left override
        ("  .cache.  ", "cache"),
        ("", "fichier.pdf"),
        ("///", "fichier.pdf"),
        ("e\u0301te\u0301.pdf", "été.pdf"),  # composed, as typed on another system
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_display_names_are_safe(ctx, raw, expected):
    assert files.display_name(raw, "application/pdf") == expected


def test_a_stored_name_is_the_safe_one(ctx):
    stored = files.store(upload(samples.pdf(), "C:\\scans\\feuille.pdf"), user_id=None)
    assert stored.filename == "feuille.pdf"


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (1, "1 octet"),
        (820, "820 octets"),
        (1024, "1 Ko"),
        (12 * 1024 + 300, "12,3 Ko"),
        (1_258_291, "1,2 Mo"),
        (10 * 1024 * 1024, "10 Mo"),
        (1024 * 1024 - 1, "1 Mo"),
        (3 * 1024**3, "3 Go"),
    ],
)
def test_human_sizes_in_french(ctx, size, expected):
    assert files.human_size(size) == expected


def test_human_sizes_follow_the_readers_language(app):
    """The number is Babel's, in the reader's language (the unit comes from the catalogue)."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        assert files.human_size(1_258_291).startswith("1.2 ")


def test_kinds_say_what_they_accept(ctx):
    assert sorted(files.SCAN_KINDS) == ["application/pdf", "image/jpeg", "image/png"]
    assert "image/webp" in files.ATTACHMENT_KINDS
    assert files.SCAN_KINDS.accept == ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"
    assert files.ATTACHMENT_KINDS.short_description == (
        "JPEG, PNG, WebP, PDF, documents bureautiques"
    )
    assert files.SCAN_KINDS.short_description == "JPEG, PNG, PDF"
    assert files.kind_label(f"{OOXML}.spreadsheetml.sheet") == "Classeur Excel"


# send() ----------------------------------------------------------------------------------


def test_send_offers_the_file_under_its_name_and_type(probe, ctx):
    stored = files.store(upload(samples.pdf(), "Feuille signée S1 — été.pdf"), user_id=None)
    db.session.commit()
    response = probe.get(f"/probe/files/{stored.id}")
    assert response.status_code == 200
    assert response.data == samples.pdf()
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Feuille%20sign%C3%A9e%20S1%20%E2%80%94%20%C3%A9t%C3%A9.pdf" in (
        disposition
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["ETag"] == f'"{stored.sha256}"'
    assert response.content_length == stored.size


def test_send_answers_304_to_a_browser_that_has_the_file(probe, ctx):
    stored = files.store(upload(samples.pdf(), "a.pdf"), user_id=None)
    db.session.commit()
    response = probe.get(
        f"/probe/files/{stored.id}", headers={"If-None-Match": f'"{stored.sha256}"'}
    )
    assert response.status_code == 304
    assert response.data == b""


def test_send_a_thumbnail_or_404(probe, ctx):
    photo = files.store(upload(samples.png(800, 600), "plan.png"), user_id=None)
    document = files.store(upload(samples.pdf(), "a.pdf"), user_id=None)
    db.session.commit()
    response = probe.get(f"/probe/files/{photo.id}?thumbnail=1")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data == photo.thumbnail.data
    assert probe.get(f"/probe/files/{document.id}?thumbnail=1").status_code == 404
