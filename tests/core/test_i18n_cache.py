"""The faster translation path gives what Flask-Babel would: per request, forced or refreshed."""

import flask_babel
from flask import render_template_string

from parcours.agenda.formatting import in_zone
from parcours.core.i18n import _current_locale


def _page() -> str:
    return render_template_string(
        '{{ _("Mon agenda") }}|{{ ngettext("%(num)d territoire", "%(num)d territoires", 2) }}'
    )


def test_templates_translate_in_the_request_language_and_in_a_forced_one(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(_current_locale()) == str(flask_babel.get_locale()) == "en"
        assert _page() == "My schedule|2 territories"
        with flask_babel.force_locale("fr"):
            assert str(_current_locale()) == str(flask_babel.get_locale()) == "fr"
            assert _page() == "Mon agenda|2 territoires"
            assert flask_babel.gettext("Mon agenda") == "Mon agenda"
        assert _page() == "My schedule|2 territories"
        flask_babel.refresh()
        assert str(_current_locale()) == "en"
        assert _page() == "My schedule|2 territories"
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert _page() == "Mon agenda|2 territoires"


def test_cached_dates_follow_the_language(app):
    from datetime import UTC, datetime

    moment = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        french = in_zone(moment, "Europe/Paris", "EEEE d MMMM y HH:mm")
        with flask_babel.force_locale("en"):
            english = in_zone(moment, "Europe/Paris", "EEEE d MMMM y HH:mm")
        assert in_zone(moment, "Europe/Paris", "EEEE d MMMM y HH:mm") == french
    assert (french, english) == ("lundi 4 mai 2026 14:00", "Monday 4 May 2026 14:00")


def test_outside_a_request_nothing_is_translated(app):
    assert _current_locale() is None
    with app.app_context():
        assert flask_babel.gettext("Mon agenda") == "Mon agenda"


def _counted(count: int) -> str:
    return (
        render_template_string(
            '{{ ngettext("%(num)d réponse", "%(num)d réponses", count) }}', count=count
        )
        + "|"
        + flask_babel.ngettext("%(num)d territoire", "%(num)d territoires", count)
    )


def test_french_puts_zero_in_the_singular_and_english_does_not(app):
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert [_counted(n) for n in (0, 1, 2)] == [
            "0 réponse|0 territoire",
            "1 réponse|1 territoire",
            "2 réponses|2 territoires",
        ]
        with flask_babel.force_locale("en"):
            assert flask_babel.ngettext("%(num)d territoire", "%(num)d territoires", 0) == (
                "0 territories"
            )
            assert flask_babel.ngettext("%(num)d territoire", "%(num)d territoires", 1) == (
                "1 territory"
            )


def test_a_time_zone_is_named_by_its_city_in_the_readers_language(app):
    from parcours.core.i18n import zone_city

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert [zone_city(zone) for zone in ("Europe/Paris", "Indian/Reunion")] == [
            "Paris",
            "La Réunion",
        ]
        with flask_babel.force_locale("en"):
            assert zone_city("Indian/Reunion") == "Réunion"
