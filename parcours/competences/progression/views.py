"""Progression pages: a catalyseur's, a territory's and the cohort's radar of the moments."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from parcours.audit import labels as audit_labels
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts.models import Cohort, Membership, Role, Territory
from parcours.competences import permissions as can
from parcours.competences.blueprint import bp
from parcours.competences.models import Viewpoint, subject_of
from parcours.competences.progression import bilan, pages, queries
from parcours.competences.progression import sections as _sections  # noqa: F401
from parcours.core.downloads import file_response
from parcours.core.extensions import db
from parcours.core.pipeline import handles

audit_labels.name_values("document", {"competences_bilan": _l("bilan de compétences")})


def participant_of(cohort: Cohort, user_id: int) -> Membership | None:
    """Return the catalyseur ``user_id`` of ``cohort`` (their membership), or None (404)."""
    return db.session.scalar(
        select(Membership).where(
            Membership.cohort_id == cohort.id,
            Membership.user_id == user_id,
            Membership.role == Role.CATALYSEUR,
            Membership.territory_id.is_not(None),
        )
    )


def own_membership(cohort: Cohort) -> Membership:
    return participant_of(cohort, current_user.id)


def _person_page(cohort: Cohort, participant: Membership, *, own: bool):
    data = pages.person_data(cohort, participant, current_user)
    territory = data["territory"]
    return render_template(
        "competences/progression/person.html",
        cohort=cohort,
        own=own,
        territory_url=url_for(".territory_progression", territory_id=territory.id)
        if can.can_read_territory_progression(current_user, territory)
        else None,
        bilan_url=url_for(".my_bilan", cohort_id=cohort.id)
        if own
        else url_for(".participant_bilan", cohort_id=cohort.id, user_id=participant.user_id),
        **data,
    )


@bp.get("/cohorts/<int:cohort_id>/progression")
@handles(load={"cohort": Cohort}, allow=can.can_read_own_progression)
def my_progression(cohort: Cohort):
    """Show the viewer's own progression: radar, competences, « se compter », progress."""
    return _person_page(cohort, own_membership(cohort), own=True)


@bp.get("/cohorts/<int:cohort_id>/participants/<int:user_id>/progression")
@handles(
    load={"cohort": Cohort, "participant": participant_of},
    allow=can.can_read_participant_progression,
)
def participant_progression(cohort: Cohort, participant: Membership):
    """Show one catalyseur's progression, as far as the viewer may read it."""
    return _person_page(cohort, participant, own=participant.user_id == current_user.id)


@bp.get("/territoires/<int:territory_id>/progression")
@handles(load={"territory": Territory}, allow=can.can_read_territory_progression)
def territory_progression(territory: Territory):
    """Show a territory's radars side by side: consensus, coach, each readable self."""
    cohort = territory.cohort
    consensus_subject = subject_of(
        Viewpoint.CONSENSUS, territory_id=territory.id, participant_id=None
    )
    coach_subject = subject_of(Viewpoint.COACH, territory_id=territory.id, participant_id=None)
    binome = can.has_binome(territory)
    people = {
        subject_of(Viewpoint.SELF, territory_id=territory.id, participant_id=m.user_id): m
        for m in territory.catalyseurs
    }
    details = queries.answer_details(cohort, Viewpoint.SELF, list(people))
    readable = {
        (d.moment, d.subject)
        for d in details
        if can.can_read_self(
            current_user, territory, people[d.subject].user_id, d.shared_with_partner
        )
    }
    self_levels = queries.domain_levels(cohort, Viewpoint.SELF, list(people))
    radars = []
    if binome:
        consensus = queries.series_of(
            queries.domain_levels(cohort, Viewpoint.CONSENSUS, [consensus_subject]),
            consensus_subject,
        )
        radars.append(("consensus", Viewpoint.CONSENSUS.label, None, consensus))
    coach = queries.series_of(
        queries.domain_levels(cohort, Viewpoint.COACH, [coach_subject]), coach_subject
    )
    radars.append(("coach", Viewpoint.COACH.label, None, coach))
    for subject, member in people.items():
        series = {
            m: row
            for m, row in queries.series_of(self_levels, subject).items()
            if (m, subject) in readable
        }
        if series or member.user_id == current_user.id:
            radars.append(("self", Viewpoint.SELF.label, member, series))
    order = queries.moments(cohort)
    blocks = [
        {
            "kind": kind,
            "title": title,
            "member": member,
            "radar": pages.radar(cohort, title, series),
            "progress": pages.progress_lines(cohort, queries.progress(order, series)),
            "answered": bool(series),
        }
        for kind, title, member, series in radars
    ]
    return render_template(
        "competences/progression/territory.html",
        cohort=cohort,
        territory=territory,
        blocks=blocks,
        binome=binome,
    )


@bp.get("/cohorts/<int:cohort_id>/progression/cohorte")
@handles(load={"cohort": Cohort}, allow=can.can_read_cohort_figures)
def cohort_progression(cohort: Cohort):
    """Show the cohort's picture: medians and quartiles per domain and moment, above the
    threshold only, and the progress of the medians."""
    figures = queries.cohort_figures(cohort)
    order = queries.moments(cohort)
    medians = {
        m.code: figures.medians(m.code)
        for m in order
        if figures.answers[m.code] and all(not f.hidden for f in figures.figures[m.code].values())
    }
    progress = queries.progress(order, medians)
    rows = []
    for domain in cohort.curriculum.referential.domains:
        cells = []
        for moment in order:
            fig = figures.figures[moment.code][domain.code]
            cells.append(
                {
                    "hidden": fig.hidden,
                    "count": fig.count,
                    "median": pages.level_text(cohort, fig.median),
                    "spread": ""
                    if fig.hidden
                    else f"{pages.level_text(cohort, fig.q1)} – {pages.level_text(cohort, fig.q3)}",
                }
            )
        rows.append({"code": domain.code, "name": domain.name, "cells": cells})
    return render_template(
        "competences/progression/cohort.html",
        cohort=cohort,
        figures=figures,
        moments=order,
        rows=rows,
        radar=pages.radar(cohort, _("Médianes de la cohorte par domaine"), medians),
        progress=progress,
        progress_lines=pages.progress_lines(cohort, progress),
    )


def _bilan_response(cohort: Cohort, participant: Membership):
    content = bilan.render(bilan.gather(cohort, participant, current_user))
    filename = _("bilan-competences-%(name)s.pdf", name=participant.user.full_name)
    audit.record(
        AuditAction.REPORT_DOWNLOADED,
        actor=current_user,
        subject=participant.user_id,
        cohort=cohort,
        target=participant,
        details={"document": "competences_bilan"},
    )
    return file_response(content, filename, "application/pdf")


@bp.get("/cohorts/<int:cohort_id>/bilan.pdf")
@handles(load={"cohort": Cohort}, allow=can.can_read_own_progression)
def my_bilan(cohort: Cohort):
    """Download the viewer's « Mon bilan de compétences » PDF."""
    return _bilan_response(cohort, own_membership(cohort))


@bp.get("/cohorts/<int:cohort_id>/participants/<int:user_id>/bilan.pdf")
@handles(
    load={"cohort": Cohort, "participant": participant_of},
    allow=can.can_read_participant_progression,
)
def participant_bilan(cohort: Cohort, participant: Membership):
    """Download one catalyseur's bilan de compétences, as far as the viewer may read it."""
    return _bilan_response(cohort, participant)
