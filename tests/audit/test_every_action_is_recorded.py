"""Every kind of audit entry has code that writes it: an action without a caller is noticed."""

import re
from pathlib import Path

import pytest

import parcours
from parcours.audit.models import AuditAction

PACKAGE = Path(parcours.__file__).parent
#: Written by the privacy package (« Mes données », erasure, consent, retention).
ELSEWHERE = {
    AuditAction.PERSONAL_DATA_DOWNLOADED,
    AuditAction.PERSON_ERASED,
    AuditAction.CONSENT_WITHDRAWN,
    AuditAction.RETENTION_PURGED,
}
#: No page changes an e-mail address yet (an address is typed once, at the invitation): the
#: first one that does records EMAIL_CHANGED (see the test below).
NOT_YET = {AuditAction.EMAIL_CHANGED}


def _recorded() -> set[str]:
    names = set()
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "audit" or "privacy" in path.parts or "demo" in path.parts:
            continue  # the enum itself; the demo writes nothing of its own
        source = path.read_text(encoding="utf-8")
        if "audit.record(" in source:
            names.update(re.findall(r"AuditAction\.([A-Z_]+)", source))
    return names


@pytest.mark.parametrize("action", sorted(set(AuditAction) - ELSEWHERE - NOT_YET), ids=str)
def test_the_application_records_this_action(action):
    assert action.name in _recorded(), f"nothing calls audit.record(AuditAction.{action.name})"


def test_no_form_changes_an_email_address_yet(app):
    from parcours.accounts.forms import ProfileForm

    with app.test_request_context():
        assert "email" not in ProfileForm(meta={"csrf": False})._fields
    assert "EMAIL_CHANGED" not in _recorded(), "remove it from NOT_YET"
