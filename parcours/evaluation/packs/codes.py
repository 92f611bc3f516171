"""Territory codes for pseudonymised documents: T01, T02… given once, kept for the cohort."""

from sqlalchemy import select

from parcours.cohorts.models import Cohort, Territory
from parcours.core.extensions import db
from parcours.evaluation.models import TerritoryCode


def codes_of(cohort: Cohort) -> dict[int, str]:
    """Return the codes given so far, by territory id."""
    rows = db.session.execute(
        select(TerritoryCode.territory_id, TerritoryCode.code).where(
            TerritoryCode.cohort_id == cohort.id
        )
    )
    return dict(rows.all())


def assign_codes(cohort: Cohort) -> dict[int, str]:
    """Give every territory of ``cohort`` without a code the next one; return them all.

    A code never changes once given, so T03 in the launch pack is T03 in the final one; a
    territory added later gets the next number. Codes follow the territories' creation order.
    """
    codes = codes_of(cohort)
    territories = db.session.scalars(
        select(Territory.id).where(Territory.cohort_id == cohort.id).order_by(Territory.id)
    ).all()
    taken = {int(code[1:]) for code in codes.values()}
    number = max(taken, default=0)
    for territory_id in territories:
        if territory_id in codes:
            continue
        number += 1
        code = f"T{number:02d}"
        db.session.add(TerritoryCode(cohort_id=cohort.id, territory_id=territory_id, code=code))
        codes[territory_id] = code
    db.session.flush()
    return codes
