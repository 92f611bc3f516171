"""Device cookies: a browser that logged into an account before is not locked out of it.

OWASP's « Slow down online guessing attacks with device cookies »: a successful login gives
the browser a signed cookie naming the account and a random device id. Wrong passwords typed
elsewhere lock the account for everyone *without* that cookie; a browser presenting it is
only limited by its own failures. So an attacker cannot lock a person out of their account
by typing their address with wrong passwords.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import Request, Response, current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from parcours.accounts.models import User

COOKIE = "parcours_device"


@dataclass(frozen=True)
class Device:
    user_id: int
    id: str  # random, the key of this browser's own limit


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="parcours-device")


def _lifetime() -> timedelta:
    return timedelta(days=int(current_app.config["PARCOURS_DEVICE_COOKIE_DAYS"]))


def remember(response: Response, user: User) -> Response:
    """Give the browser a device cookie for ``user`` (after a successful login)."""
    token = _serializer().dumps({"u": user.id, "d": secrets.token_urlsafe(16)})
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(_lifetime().total_seconds()),
        path=url_for("accounts.login"),  # sent with login attempts only
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )
    return response


def recognise(request: Request) -> Device | None:
    """Return the device a valid cookie of this request names, or None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=int(_lifetime().total_seconds()))
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if not isinstance(data.get("d"), str):
        return None
    return Device(user_id=data["u"], id=data["d"])
