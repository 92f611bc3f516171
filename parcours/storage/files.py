"""Uploaded files: check them, keep them, send them back.

The contract every domain uses for its attachments (field-visit reports, follow-ups, journal
entries, scanned signature sheets)::

    from parcours.storage import files

    files.check(upload, kinds=files.SCAN_KINDS)    # -> "application/pdf", or raises Refused
    stored = files.store(upload, user_id=current_user.id, kinds=files.SCAN_KINDS)
    return files.send(stored)                      # after the domain's own permission check
    files.human_size(1_258_291)                    # -> "1,2 Mo" (Jinja filter ``filesize``)

- :class:`Refused` (a ``ValueError``) carries ``message``, translated and fit to show the user
  as is: « « plan.exe » n'est pas accepté : seuls les photos (JPEG, PNG, WebP), les PDF et
  les documents bureautiques (Word, Excel, PowerPoint, OpenDocument) le sont. »
- :data:`ATTACHMENT_KINDS` (photos JPEG/PNG/WebP, PDF, Word/Excel/PowerPoint and
  OpenDocument files, the Office 97-2003 formats too) and :data:`SCAN_KINDS` (PDF, JPEG,
  PNG) are :class:`Kinds`: frozen sets of content types (``"image/png" in SCAN_KINDS``) that
  also give the ``accept`` attribute of a file input and the hint shown under it.
- :func:`check` reads the type **from the bytes** (magic numbers through the ``filetype``
  library; Office Open XML and OpenDocument files, which are zip files, by the zip's own
  ``[Content_Types].xml`` or ``mimetype`` member), never from the name or what the browser
  claims. It reads at most ``PARCOURS_MAX_UPLOAD_MB`` (default 10) plus one byte, refuses
  empty files, decodes images (a corrupt image or a decompression bomb is refused), and
  rewinds the stream.
- :func:`store` checks, then adds a :class:`StoredFile` to the session and flushes (it never
  commits: the request does): the bytes, their SHA-256, the detected type, a display name
  cleaned of directories and control characters, and for a photo a JPEG thumbnail (turned
  upright from its EXIF orientation, 320 px at most) stored as another StoredFile and linked
  by ``thumbnail_id``.
- :func:`send` answers the bytes as a download under their original name. **The caller checks
  permissions first**: a domain's download view goes through ``@handles`` with its own rule.
  ``thumbnail=True`` sends the thumbnail (404 when there is none); an ``<img src>`` shows it
  although it is sent as an attachment.

The bytes live in the database (``stored_files``): every worker and host sees them, and a
database backup holds them.
"""

import hashlib
import io
import logging
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from datetime import datetime

import filetype
from babel.lists import format_list
from flask import Response, abort, current_app, request, send_file
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from werkzeug.datastructures import FileStorage

from parcours.core.extensions import db
from parcours.core.time import now_utc
from parcours.storage.models import StoredFile

logger = logging.getLogger(__name__)

#: The longest side of a thumbnail, in pixels.
THUMBNAIL_SIZE = 320
#: A file name longer than this is shortened (the database column's length).
MAX_NAME_LENGTH = 255

MEGABYTE = 1024 * 1024


class Refused(ValueError):
    """An upload that cannot be kept; ``message`` says why, in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# The types ------------------------------------------------------------------------------

_PHOTO, _PDF, _OFFICE = "photo", "pdf", "office"


@dataclass(frozen=True)
class _Type:
    label: object  # lazy: what a list of files says the file is
    extensions: tuple[str, ...]
    family: str
    short: str  # within its family's hint: « JPEG »


_TYPES: dict[str, _Type] = {
    "image/jpeg": _Type(_l("Photo JPEG"), (".jpg", ".jpeg"), _PHOTO, "JPEG"),
    "image/png": _Type(_l("Image PNG"), (".png",), _PHOTO, "PNG"),
    "image/webp": _Type(_l("Image WebP"), (".webp",), _PHOTO, "WebP"),
    "application/pdf": _Type(_l("PDF"), (".pdf",), _PDF, "PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _Type(
        _l("Document Word"), (".docx",), _OFFICE, "Word"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _Type(
        _l("Classeur Excel"), (".xlsx",), _OFFICE, "Excel"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _Type(
        _l("Présentation PowerPoint"), (".pptx",), _OFFICE, "PowerPoint"
    ),
    "application/vnd.oasis.opendocument.text": _Type(
        _l("Texte OpenDocument"), (".odt",), _OFFICE, "OpenDocument"
    ),
    "application/vnd.oasis.opendocument.spreadsheet": _Type(
        _l("Classeur OpenDocument"), (".ods",), _OFFICE, "OpenDocument"
    ),
    "application/vnd.oasis.opendocument.presentation": _Type(
        _l("Présentation OpenDocument"), (".odp",), _OFFICE, "OpenDocument"
    ),
    "application/msword": _Type(_l("Document Word (97-2003)"), (".doc",), _OFFICE, "Word"),
    "application/vnd.ms-excel": _Type(_l("Classeur Excel (97-2003)"), (".xls",), _OFFICE, "Excel"),
    "application/vnd.ms-powerpoint": _Type(
        _l("Présentation PowerPoint (97-2003)"), (".ppt",), _OFFICE, "PowerPoint"
    ),
}

#: Images that get a thumbnail (and that Pillow must be able to decode to be accepted).
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


class Kinds(frozenset):
    """A set of accepted content types, which also says itself to the user."""

    def _families(self) -> dict[str, list[str]]:
        """Return the accepted types' short names by family, in a fixed order, once each."""
        found: dict[str, list[str]] = {_PHOTO: [], _PDF: [], _OFFICE: []}
        for content_type, kind in _TYPES.items():  # the table's order, not the set's
            if content_type in self and kind.short not in found[kind.family]:
                found[kind.family].append(kind.short)
        return found

    @property
    def accept(self) -> str:
        """Return the ``accept`` attribute of a file input: extensions and content types."""
        ordered = [t for t in _TYPES if t in self]
        extensions = [ext for t in ordered for ext in _TYPES[t].extensions]
        return ",".join([*extensions, *ordered])

    @property
    def short_description(self) -> str:
        """Say the types in a hint: « JPEG, PNG, WebP, PDF, documents bureautiques »."""
        families = self._families()
        parts = [*families[_PHOTO], *families[_PDF]]
        if families[_OFFICE]:
            parts.append(_("documents bureautiques"))
        return ", ".join(parts)

    @property
    def description(self) -> str:
        """Say the types in a sentence: « les photos (JPEG, PNG), les PDF et … »."""
        families = self._families()
        parts = []
        if families[_PHOTO]:
            parts.append(_("les photos (%(formats)s)", formats=", ".join(families[_PHOTO])))
        if families[_PDF]:
            parts.append(_("les PDF"))
        if families[_OFFICE]:
            parts.append(
                _(
                    "les documents bureautiques (%(formats)s)",
                    formats=", ".join(families[_OFFICE]),
                )
            )
        return format_list(parts, locale=get_locale() or "fr")

    def refusal(self, name: str) -> str:
        """Return the message that refuses a file named ``name`` of another type."""
        return _(
            "« %(name)s » n'est pas accepté : seuls %(accepted)s le sont.",
            name=name,
            accepted=self.description,
        )


#: What may be attached to a report, a follow-up or a journal entry.
ATTACHMENT_KINDS = Kinds(_TYPES)
#: What a scanned paper document may be: a PDF, or a photo of each page.
SCAN_KINDS = Kinds({"application/pdf", "image/jpeg", "image/png"})


def kind_label(content_type: str) -> str:
    """Say what a stored file is (« Photo JPEG », « Classeur Excel »); Jinja filter ``filekind``."""
    kind = _TYPES.get(content_type)
    return str(kind.label) if kind is not None else content_type


# Detection from the bytes ------------------------------------------------------------------

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The main part of each Office Open XML document, as its [Content_Types].xml names it.
#: Macro-enabled documents and templates have other main parts, and are not accepted.
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
_ODF_TYPES = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
_CONTENT_TYPE_ATTRIBUTE = re.compile(rb"""ContentType\s*=\s*["']([^"']+)["']""")
#: How much of a zip member is read to learn the document's type (a zip bomb stays shut).
_MEMBER_READ_LIMIT = 1024 * 1024


def detect(data: bytes) -> str | None:
    """Return the content type the bytes ``data`` show, or None for one we do not know.

    Magic numbers through ``filetype``; a zip file is opened to tell an Office Open XML or
    OpenDocument file (and which one) from any other archive.
    """
    if data.startswith(_ZIP):
        return _zip_document(data)
    guessed = filetype.guess_mime(data[:8192])
    if data.startswith(_OLE) and guessed not in _TYPES:
        return None  # an Office 97-2003 container the library cannot tell apart
    return guessed


def _zip_document(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:  # OpenDocument: the type, in plain text, comes first
                with archive.open("mimetype") as member:
                    declared = member.read(200).decode("ascii", "replace").strip()
                return declared if declared in _ODF_TYPES else None
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as member:
                    declared_types = _CONTENT_TYPE_ATTRIBUTE.findall(
                        member.read(_MEMBER_READ_LIMIT)
                    )
                for declared in declared_types:
                    found = _OOXML_MAIN_PARTS.get(declared.decode("ascii", "replace"))
                    if found is not None:
                        return found
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None
    except NotImplementedError:  # a compression method zipfile does not know
        return None
    return None


# Names and sizes ---------------------------------------------------------------------------


def display_name(raw: str | None, content_type: str | None = None) -> str:
    """Return a file name safe to show and to offer back: no folder, no control character.

    « C:\\Users\\ana\\Photo  été.JPG » gives « Photo été.JPG »; a name with nothing left gets
    « fichier » and the extension of ``content_type``. At most 255 characters, extension kept.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Control, format (right-to-left overrides that disguise « gpj.exe »), unassigned characters.
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if not name:
        kind = _TYPES.get(content_type or "")
        name = _("fichier") + (kind.extensions[0] if kind else "")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def max_upload_bytes() -> int:
    """Return the largest file accepted, in bytes (``PARCOURS_MAX_UPLOAD_MB``)."""
    return int(float(current_app.config["PARCOURS_MAX_UPLOAD_MB"]) * MEGABYTE)


def human_size(n: int) -> str:
    """Say a size in the reader's language: « 820 octets », « 12 Ko », « 1,2 Mo »."""
    if n < 1024:
        return ngettext("%(num)d octet", "%(num)d octets", n)
    units = (_("%(size)s Ko"), _("%(size)s Mo"), _("%(size)s Go"))
    value = n / 1024
    for unit in units[:-1]:
        if round(value, 1) < 1024:
            return unit % {"size": format_decimal(value, format="#,##0.#")}
        value /= 1024
    return units[-1] % {"size": format_decimal(value, format="#,##0.#")}


@dataclass(frozen=True)
class Listed:
    """One line of the ``file_list`` macro: a stored file, its links, who added it and when."""

    file: StoredFile
    url: str
    thumbnail_url: str | None = None
    added_by: str | None = None  # a name
    added_at: datetime | None = None  # when it was attached, if not when it was uploaded


# Check, store, send ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inspected:
    name: str
    content_type: str
    data: bytes
    thumbnail: bytes | None


def check(upload: FileStorage, kinds: Kinds = ATTACHMENT_KINDS) -> str:
    """Return the content type of ``upload`` read from its bytes, or raise :class:`Refused`.

    Refused: empty, larger than ``PARCOURS_MAX_UPLOAD_MB``, of a type not in ``kinds``, or an
    image that does not decode. The stream is rewound, to be read again.
    """
    return _inspect(upload, kinds).content_type


#: Where an upload keeps what was read of it: the form's check and the store that follows
#: read, detect and decode a 10 MB photo once per request, not twice.
_INSPECTED = "_parcours_inspected"


def _inspect(upload: FileStorage, kinds: Kinds) -> _Inspected:
    kept = getattr(upload, _INSPECTED, None)
    if kept is not None and kept[0] == kinds:
        return kept[1]
    inspected = _read(upload, kinds)
    setattr(upload, _INSPECTED, (kinds, inspected))
    return inspected


def _read(upload: FileStorage, kinds: Kinds) -> _Inspected:
    limit = max_upload_bytes()
    stream = upload.stream
    stream.seek(0)
    data = stream.read(limit + 1)  # never more than needed to know it is too large
    stream.seek(0)
    content_type = detect(data) if data else None
    name = display_name(upload.filename, content_type)
    if not data:
        raise Refused(_("« %(name)s » est vide.", name=name))
    if len(data) > limit:
        raise Refused(
            _(
                "« %(name)s » dépasse la taille maximale de %(size)s.",
                name=name,
                size=human_size(limit),
            )
        )
    if content_type is None or content_type not in kinds:
        raise Refused(kinds.refusal(name))
    thumbnail = _thumbnail(data, content_type, name) if content_type in IMAGE_TYPES else None
    return _Inspected(name=name, content_type=content_type, data=data, thumbnail=thumbnail)


def _thumbnail(data: bytes, content_type: str, name: str) -> bytes:
    """Return a JPEG of the image ``data``, upright, THUMBNAIL_SIZE px at most on its sides.

    Refused when the image does not decode (corrupt, truncated) or would decode to more
    pixels than Pillow's bomb limit (a few kilobytes that unpack to gigabytes).
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns before a bomb's limit and raises past twice the limit: both refuse,
            # in production as in the tests (which turn warnings into errors).
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != _PILLOW_FORMATS[content_type]:
                    raise Refused(_corrupt(name))
                image.draft("RGB", (THUMBNAIL_SIZE, THUMBNAIL_SIZE))  # JPEG: decode smaller
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
                small = _on_white(upright)
                buffer = io.BytesIO()
                small.save(buffer, "JPEG", quality=80, optimize=True)
                return buffer.getvalue()
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        logger.warning("Image refused: more pixels than the decompression limit")
        raise Refused(
            _("« %(name)s » est une image trop grande pour être lue.", name=name)
        ) from None
    except Exception:  # a corrupt file can break a decoder in any way: never a 500
        logger.info("Image refused: it does not decode", exc_info=True)
        raise Refused(_corrupt(name)) from None


def _corrupt(name: str) -> str:
    return _("« %(name)s » est une image illisible ou abîmée.", name=name)


def _on_white(image: Image.Image) -> Image.Image:
    """Return ``image`` in RGB, its transparent parts white (JPEG has no transparency)."""
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(
    upload: FileStorage, *, user_id: int | None, kinds: Kinds = ATTACHMENT_KINDS
) -> StoredFile:
    """Check ``upload``, then add it (and a photo's thumbnail) to the session; never commit.

    Raises :class:`Refused` as :func:`check` does. The StoredFile is flushed: it has its id.
    """
    inspected = _inspect(upload, kinds)
    moment = now_utc()
    stored = StoredFile(
        filename=inspected.name,
        content_type=inspected.content_type,
        size=len(inspected.data),
        sha256=_sha256(inspected.data),
        data=inspected.data,
        uploaded_by_id=user_id,
        uploaded_at=moment,
    )
    if inspected.thumbnail is not None:
        stem = inspected.name.rsplit(".", 1)[0] if "." in inspected.name else inspected.name
        stored.thumbnail = StoredFile(
            filename=display_name(_("%(name)s (miniature).jpg", name=stem)),
            content_type="image/jpeg",
            size=len(inspected.thumbnail),
            sha256=_sha256(inspected.thumbnail),
            data=inspected.thumbnail,
            uploaded_by_id=user_id,
            uploaded_at=moment,
        )
    db.session.add(stored)
    db.session.flush()
    logger.info(
        "File %s stored (%s, %d bytes) by user %s",
        stored.id,
        stored.content_type,
        stored.size,
        user_id,
    )
    return stored


def send(stored: StoredFile, *, thumbnail: bool = False) -> Response:
    """Answer the bytes of ``stored`` (or of its thumbnail) as a download; check access first.

    ``Content-Disposition: attachment`` with the original name (``filename*`` for names
    beyond ASCII), the stored type with ``nosniff``, an ETag from the SHA-256 and
    ``Cache-Control: private, no-cache``: a browser may keep the file but asks again each
    time, so a revoked access takes effect at once, and an unchanged file answers 304 without
    its bytes being read from the database.
    """
    target = stored
    if thumbnail:
        if stored.thumbnail_id is None:
            abort(404)
        target = stored.thumbnail
    if request.if_none_match.contains_weak(target.sha256):
        response = Response(status=304)
        response.set_etag(target.sha256)
    else:
        response = send_file(
            io.BytesIO(target.data),
            mimetype=target.content_type,
            as_attachment=True,
            download_name=target.filename,
            etag=target.sha256,
            last_modified=target.uploaded_at,
            conditional=True,
        )
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
