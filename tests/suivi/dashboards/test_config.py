"""``PARCOURS_SUIVI_STALE_DAYS``: how long a territory may go without a follow-up record."""

import pytest

from parcours import create_app
from parcours.config import ConfigurationError
from tests.conftest import app_config


def test_the_default_is_45_days(app):
    assert app.config["PARCOURS_SUIVI_STALE_DAYS"] == 45


def test_the_environment_sets_it(database_url_for_tests, monkeypatch):
    monkeypatch.setenv("PARCOURS_SUIVI_STALE_DAYS", "30")
    application = create_app(app_config(database_url_for_tests))
    assert application.config["PARCOURS_SUIVI_STALE_DAYS"] == 30


@pytest.mark.parametrize("value", ["quarante-cinq", 0, -5, 1.5, True, None])
def test_a_value_that_is_not_a_number_of_days_stops_the_start(database_url_for_tests, value):
    with pytest.raises(ConfigurationError, match="PARCOURS_SUIVI_STALE_DAYS"):
        create_app(app_config(database_url_for_tests, PARCOURS_SUIVI_STALE_DAYS=value))
