"""Read, validate and load curriculum files."""

import hashlib
import json
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select

from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.core.extensions import db
from parcours.curricula.models import Curriculum, CurriculumVersion
from parcours.curricula.schema import CurriculumDocument

logger = logging.getLogger(__name__)


class CurriculumError(ValueError):
    """A curriculum file that cannot be used; the message names the file and what is wrong."""


def _location(loc: tuple) -> str:
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part + 1}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "(racine)"


def parse_file(path: Path) -> CurriculumDocument:
    """Return the validated content of ``path`` or raise CurriculumError."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CurriculumError(f"{path}: fichier illisible ({error.strerror})") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CurriculumError(f"{path}: le fichier doit être encodé en UTF-8") from error
    return parse_text(text, path)


def parse_text(text: str, path: Path | str) -> CurriculumDocument:
    """Return the validated content of a curriculum's TOML ``text`` (named ``path`` in errors).

    The same checks as :func:`parse_file`, for a file not written yet (an import to review).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib's message already names the line and column.
        raise CurriculumError(f"{path}: TOML invalide : {error}") from error
    try:
        return CurriculumDocument.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = _location(item["loc"])
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"  - {where} : {message}")
        raise CurriculumError(f"{path}: curriculum invalide\n" + "\n".join(problems)) from error


def content_hash(document: CurriculumDocument) -> str:
    """Return a hash of the content, independent of formatting and comments."""
    canonical = json.dumps(document.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class LoadResult:
    version: CurriculumVersion
    created: bool


def load_document(document: CurriculumDocument, source_name: str) -> LoadResult:
    """Store ``document`` as a new version unless it equals the latest one."""
    slug = document.programme.slug
    curriculum = db.session.scalar(select(Curriculum).where(Curriculum.slug == slug))
    if curriculum is None:
        curriculum = Curriculum(slug=slug, name=document.programme.name)
        db.session.add(curriculum)
        db.session.flush()
    latest = db.session.scalar(
        select(CurriculumVersion)
        .where(CurriculumVersion.curriculum_id == curriculum.id)
        .order_by(CurriculumVersion.number.desc())
        .limit(1)
    )
    digest = content_hash(document)
    if latest is not None and latest.content_hash == digest:
        return LoadResult(version=latest, created=False)
    curriculum.name = document.programme.name
    version = CurriculumVersion(
        curriculum=curriculum,
        number=(latest.number + 1) if latest else 1,
        content_hash=digest,
        source_name=source_name,
        data=document.model_dump(mode="json"),
    )
    db.session.add(version)
    db.session.flush()
    # Loaded from the command line (no one logged in): who ran it is the server's business.
    audit.record(
        AuditAction.IMPORTED,
        target=version,
        details={"format": "curriculum", "curriculum": slug, "version": version.number},
    )
    logger.info("Curriculum %s loaded as version %s", slug, version.number)
    return LoadResult(version=version, created=True)


def load_file(path: Path) -> LoadResult:
    """Validate ``path`` and store it (idempotent)."""
    return load_document(parse_file(path), source_name=path.name)


def curriculum_files(directory: Path) -> list[Path]:
    """Return the curriculum files of a directory, in a stable order."""
    return sorted(directory.glob("*.toml"))
