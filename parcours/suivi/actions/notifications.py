"""E-mails about action items: to the owner of a new item, and each week's digest of late ones.

Both go through the outbox, in the recipient's language. Neither carries any text of a record
or a report, only what the owner reads on their own pages anyway: the item's title, its
territory, its due date, and links to pages that check who may read them. So no
« accompagnement uniquement » text can reach a catalyseur's mailbox (nor the cohort's e-mail
log, which coordinators read).
"""

import logging
from collections import defaultdict
from datetime import datetime

from flask import render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from parcours.accounts.models import User
from parcours.cohorts.models import Role
from parcours.core.extensions import db
from parcours.core.i18n import format_date
from parcours.core.time import now_utc
from parcours.core.urls import absolute_url
from parcours.outbox import mail
from parcours.suivi.actions import links, queries
from parcours.suivi.models import ActionItem

logger = logging.getLogger(__name__)

#: Longest title quoted in a subject line.
SUBJECT_TITLE_LENGTH = 80


def owner_page_url(role: Role | None, item: ActionItem) -> str:
    """Return the page where the owner finds their items: « Mon parcours », « Mes territoires »."""
    cohort_id = item.territory.cohort_id
    if role == Role.CATALYSEUR:
        return absolute_url("cohorts.my_path", cohort_id=cohort_id)
    if role == Role.COACH:
        return absolute_url("cohorts.my_territories", cohort_id=cohort_id)
    return absolute_url("cohorts.territory", territory_id=item.territory_id)


def _shortened(title: str) -> str:
    if len(title) <= SUBJECT_TITLE_LENGTH:
        return title
    return title[: SUBJECT_TITLE_LENGTH - 1].rstrip() + "…"


def item_assigned(item: ActionItem) -> bool:
    """Tell the owner of ``item`` it is theirs, once; return whether an e-mail was queued."""
    if item.owner_id is None or item.owner_notified_at is not None:
        return False
    owner = db.session.get(User, item.owner_id)
    if owner is None or not owner.active:
        return False
    territory = item.territory
    role = queries.roles_of({owner.id}, {territory.cohort_id}).get((owner.id, territory.cohort_id))
    with force_locale(owner.locale):
        subject = _("Une action pour vous : %(title)s", title=_shortened(item.title))
        body = render_template(
            "mail/action_item.txt",
            name=owner.full_name,
            item=item,
            territory=territory,
            due=format_date(item.due_on, "long") if item.due_on else None,
            source=links.source_url(item, absolute=True),
            page=owner_page_url(role, item),
        )
    queued = mail.queue(
        mail.Message(to=owner.email, subject=subject, body=body), cohort_id=territory.cohort_id
    )
    item.owner_notified_at = now_utc()
    logger.info("Action item %s: owner %s told", item.id, owner.id)
    return queued


def digest_key(week: str, user_id: int) -> str:
    """Return the key that makes one owner's digest of one week unique."""
    return f"action-digest:{week}:{user_id}"


def send_weekly_digest(week: str, now: datetime | None = None) -> int:
    """Queue one e-mail per owner listing their late items; return how many were queued.

    ``week`` names the ISO week (``2026-W19``): an owner gets one digest per week, whatever
    runs it again (a retry, a second scheduler). Owners who left the item's cohort or whose
    account is closed get none.
    """
    now = now or now_utc()
    items = queries.overdue_items(now)
    roles = queries.roles_of(
        {item.owner_id for item in items}, {item.territory.cohort_id for item in items}
    )
    by_owner: dict[int, list[ActionItem]] = defaultdict(list)
    for item in items:
        if item.owner.active and (item.owner_id, item.territory.cohort_id) in roles:
            by_owner[item.owner_id].append(item)
    queued = 0
    for owner_items in by_owner.values():
        owner = owner_items[0].owner
        cohorts = {item.territory.cohort_id for item in owner_items}
        with force_locale(owner.locale):
            lines = [
                {
                    "item": item,
                    "due": format_date(item.due_on, "long"),
                    "late": (queries.local_today(item.territory.cohort, now) - item.due_on).days,
                    "page": owner_page_url(roles[(owner.id, item.territory.cohort_id)], item),
                }
                for item in owner_items
            ]
            subject = ngettext(
                "Votre action en retard cette semaine",
                "Vos %(num)d actions en retard cette semaine",
                len(owner_items),
            )
            body = render_template("mail/action_digest.txt", name=owner.full_name, lines=lines)
        if mail.queue(
            mail.Message(to=owner.email, subject=subject, body=body),
            cohort_id=next(iter(cohorts)) if len(cohorts) == 1 else None,
            dedup_key=digest_key(week, owner.id),
        ):
            queued += 1
    logger.info("Action digest %s: %d queued", week, queued)
    return queued
