"""Optimistic locking holds across real transactions, not only within one test's."""

import pytest
from sqlalchemy.orm.exc import StaleDataError

from parcours.cohorts.models import Cohort
from parcours.core.extensions import db


@pytest.mark.commits  # two sessions on two connections, as two requests are
def test_the_second_of_two_concurrent_saves_finds_the_row_changed(app, world):
    with app.app_context():
        first, second = db.session.session_factory(), db.session.session_factory()
        try:
            mine, theirs = (s.get(Cohort, world["cohort_a"]) for s in (first, second))
            assert mine.version == theirs.version
            mine.target_territories = 11
            first.commit()
            theirs.name = "Cohorte A — écrasée"
            with pytest.raises(StaleDataError):
                second.flush()
            second.rollback()
            stored = second.get(Cohort, world["cohort_a"])
            assert (stored.name, stored.target_territories) == ("Cohorte A", 11)
            assert stored.version == mine.version
        finally:
            first.close()
            second.close()
