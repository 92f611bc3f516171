"""Password hashing (argon2) and the password policy: length and a common-password list."""

import gzip
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 256


def _hasher() -> PasswordHasher:
    options = current_app.config.get("PARCOURS_ARGON2", {})
    return PasswordHasher(**options)


def hash_password(password: str) -> str:
    """Return the argon2 hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether ``password`` matches; hash anyway when there is no hash, to keep timing flat."""
    hasher = _hasher()
    if password_hash is None:
        hasher.hash(password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    """Return the 20,000 most common passwords (Django's list, BSD licence) plus French ones."""
    data = files("parcours.accounts").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def password_problem(password: str) -> str | None:
    """Return why ``password`` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return str(_l("Le mot de passe doit contenir au moins %(n)d caractères.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_l("Le mot de passe est trop long."))
    if password.lower().strip() in common_passwords():
        return str(_l("Ce mot de passe est trop courant : choisissez-en un autre."))
    return None
