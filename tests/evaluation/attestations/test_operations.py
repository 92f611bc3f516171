"""Issuing attestations: when, to whom, reissues, and « tout délivrer »."""

import hashlib

import pytest
from sqlalchemy import select

from parcours.accounts.models import User
from parcours.agenda.models import EventStatus
from parcours.cohorts.models import Cohort, Membership
from parcours.core.extensions import db
from parcours.core.kept import KeptAsWritten
from parcours.core.time import freeze
from parcours.evaluation.attestations import operations as ops
from parcours.evaluation.models import FinalAttestation
from tests.competences.factories import moment_event
from tests.evaluation.attestations.conftest import AFTER, BEFORE, event
from tests.pdfs import read_pdf


def _cohort(world) -> Cohort:
    return db.session.get(Cohort, world["cohort_a"])


def _member(world, role) -> Membership:
    return db.session.scalars(
        select(Membership).where(
            Membership.cohort_id == world["cohort_a"], Membership.user_id == world[role]
        )
    ).one()


def _by(world) -> User:
    return db.session.get(User, world["coordinator"])


def test_issuing_freezes_the_pdf_its_hash_and_a_random_token(ctx, finished):
    world = finished
    with freeze(AFTER):
        attestation = ops.issue(_cohort(world), _member(world, "a1"), by=_by(world))
    assert attestation.number == 1 and attestation.issued_at == AFTER
    assert attestation.issued_by_id == world["coordinator"]
    assert attestation.sha256 == hashlib.sha256(attestation.pdf).hexdigest()
    assert len(attestation.token) == 43  # token_urlsafe(32): 256 bits
    _reader, text = read_pdf(attestation.pdf)
    assert f"http://parcours.test/verifier/{attestation.token}" in text
    attestation.sha256 = "0" * 64
    with pytest.raises(KeptAsWritten, match="cannot be changed"):
        db.session.flush()


@pytest.mark.parametrize("moment", [BEFORE, AFTER.replace(month=10, day=1)])
def test_too_early_is_refused_with_the_date(ctx, finished, moment):
    with freeze(moment), pytest.raises(ops.AttestationRefused, match="à partir du 12 novembre"):
        ops.issue(_cohort(finished), _member(finished, "a1"), by=_by(finished))
    with freeze(moment), pytest.raises(ops.AttestationRefused):
        ops.issue_all(_cohort(finished), by=_by(finished))
    assert db.session.scalars(select(FinalAttestation)).all() == []


def test_without_assessment_windows_only_the_sessions_count(ctx, finished):
    cohort = _cohort(finished)
    for code in ("T0", "MID", "END"):
        moment_event(cohort.id, code).status = EventStatus.CANCELLED
    db.session.flush()
    s4 = event(cohort.id, "S4")
    assert ops.issuable_from(cohort) == s4.ends_at
    with freeze(s4.ends_at):
        assert ops.issue_refusal(cohort) is None


def test_a_coordinator_closing_the_last_window_early_opens_the_issue(ctx, finished):
    cohort = _cohort(finished)
    s4 = event(cohort.id, "S4")
    from parcours.competences.queries import forget_moments, moments

    campaign = next(row.campaign for row in moments(cohort) if row.event.code == "END")
    campaign.closed_at = s4.ends_at
    forget_moments()
    assert ops.issuable_from(cohort) == s4.ends_at


def test_a_cohort_without_sessions_has_nothing_to_attest(ctx, finished):
    cohort = _cohort(finished)
    for code in ("S1", "S2", "S3", "S4"):
        event(cohort.id, code).status = EventStatus.CANCELLED
    with freeze(AFTER):
        assert "aucune session collective" in ops.issue_refusal(cohort)


@pytest.mark.parametrize("role", ["coordinator", "coach", "committee"])
def test_only_catalyseurs_receive_one(ctx, finished, role):
    with freeze(AFTER), pytest.raises(ops.AttestationRefused, match="Seuls les catalyseurs"):
        ops.issue(_cohort(finished), _member(finished, role), by=_by(finished))


def test_a_reissue_takes_the_next_number_and_keeps_the_first(ctx, finished):
    world = finished
    with freeze(AFTER):
        first = ops.issue(_cohort(world), _member(world, "a1"), by=_by(world))
        second = ops.issue(_cohort(world), _member(world, "a1"), by=_by(world))
    assert (first.number, second.number) == (1, 2)
    assert first.token != second.token
    kept = db.session.get(FinalAttestation, first.id)
    assert kept.sha256 == hashlib.sha256(kept.pdf).hexdigest()
    _reader, text = read_pdf(second.pdf)
    assert "(version 2)" in text


def test_issue_all_skips_those_who_have_one(ctx, finished):
    world = finished
    with freeze(AFTER):
        mine = ops.issue(_cohort(world), _member(world, "a1"), by=_by(world))
        issued = ops.issue_all(_cohort(world), by=_by(world))
        assert ops.issue_all(_cohort(world), by=_by(world)) == []
    assert sorted(a.user_id for a in issued) == sorted([world["a1bis"], world["a2"]])
    rows = db.session.execute(
        select(FinalAttestation.user_id, FinalAttestation.number).order_by(FinalAttestation.id)
    ).all()
    assert len(rows) == 3 and rows[0] == (world["a1"], 1)
    assert db.session.get(FinalAttestation, mine.id).number == 1
