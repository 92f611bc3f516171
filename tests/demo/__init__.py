"""The demo command's data. It holds two promotions: the current one, in progress, is the
latest to start (the other, a year older, has ended)."""

from sqlalchemy import select

from parcours.cohorts.models import Cohort

#: The promotion in progress, which most demo tests look at.
CURRENT = select(Cohort).order_by(Cohort.start_date.desc()).limit(1)
CURRENT_ID = select(Cohort.id).order_by(Cohort.start_date.desc()).limit(1)
