"""Write a new referential into a copy of a curriculum file, for a person to review.

The ``[referential]`` section is written as the shipped files write it (one table per level,
domain and competence); the rest of the file is kept line for line, comments included.
"""

import tomllib
from pathlib import Path

import tomli_w

from parcours.curricula.loader import parse_text
from parcours.curricula.schema import CurriculumDocument


def _value(key: str, value) -> str:
    return tomli_w.dumps({key: value})


def referential_toml(referential: dict) -> str:
    """Return the ``[referential]`` section of a curriculum file holding ``referential``."""
    parts = ["[referential]\n", _value("name", referential["name"])]
    for level in referential["levels"]:
        parts.append("\n[[referential.levels]]\n")
        parts.extend(
            _value(key, level[key]) for key in ("value", "label", "description") if key in level
        )
    for domain in referential["domains"]:
        parts.append("\n[[referential.domains]]\n")
        parts.extend(_value(key, domain[key]) for key in ("code", "name"))
        for item in domain["competences"]:
            parts.append("\n[[referential.domains.competences]]\n")
            parts.extend(_value(key, item[key]) for key in ("code", "label", "description"))
    return "".join(parts)


def _table_of(line: str) -> str | None:
    """Return the table a TOML line opens (``referential.levels``), or None for another line."""
    stripped = line.strip()
    if not stripped.startswith("["):
        return None
    try:
        data = tomllib.loads(stripped)
    except tomllib.TOMLDecodeError:
        return None  # a value (an array) carried over from the line above
    names = []
    while isinstance(data, dict) and len(data) == 1:
        key, data = next(iter(data.items()))
        names.append(key)
        if isinstance(data, list):
            data = data[-1] if data else None
    return ".".join(names) if names and data == {} else None


def _is_referential(table: str) -> bool:
    return table == "referential" or table.startswith("referential.")


def merge_into(curriculum_text: str, referential: dict) -> str:
    """Return ``curriculum_text`` with its ``[referential]`` section replaced by ``referential``.

    The section's own comments go with it; those just above the next table stay with that
    table. When the section is not in one piece, the whole file is written anew (its comments
    lost): either way, the result reads as the curriculum with the new referential.
    """
    expected = tomllib.loads(curriculum_text)
    expected["referential"] = referential
    lines = curriculum_text.splitlines(keepends=True)
    tables = [
        (i, name) for i, name in ((i, _table_of(line)) for i, line in enumerate(lines)) if name
    ]
    inside = [i for i, name in tables if _is_referential(name)]
    if inside:
        start = inside[0]
        end = next((i for i, name in tables if i > start and not _is_referential(name)), len(lines))
        while end > start + 1 and (
            not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
        ):
            end -= 1
        if all(i < end for i in inside):
            tail = lines[end:]
            gap = "\n" if tail and tail[0].strip() else ""
            merged = "".join([*lines[:start], referential_toml(referential), gap, *tail])
            try:
                if tomllib.loads(merged) == expected:
                    return merged
            except tomllib.TOMLDecodeError:
                pass
    return tomli_w.dumps(expected)


def document_toml(document: CurriculumDocument) -> str:
    """Return a loaded curriculum as a file (its comments were never stored).

    TOML has no null: every empty value of a document is a default, left out.
    """
    return tomli_w.dumps(document.model_dump(mode="python", exclude_none=True))


def with_referential(
    curriculum_text: str, referential: dict, name: Path | str
) -> tuple[str, CurriculumDocument]:
    """Return the curriculum file with ``referential`` in it, and its content once validated.

    Validated as ``curricula validate`` does (errors name the file ``name``): raises
    CurriculumError.
    """
    merged = merge_into(curriculum_text, referential)
    return merged, parse_text(merged, name)
