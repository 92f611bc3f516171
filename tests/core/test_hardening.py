"""Out-of-range dates, ids and page numbers get a 4xx, never a 500."""

from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter
from wtforms import Form
from wtforms.fields import DateField
from wtforms.validators import Optional

from parcours.agenda.models import Event
from parcours.core.converters import BoundedIntegerConverter
from parcours.core.extensions import db
from parcours.core.forms import DateRange
from tests.conftest import page_text

RANGE_MESSAGE = "La date doit être comprise entre le 1er janvier 2000 et le 31 décembre 2100."

# The DateRange validator --------------------------------------------------------------------


class _DayForm(Form):
    day = DateField(validators=[Optional(), DateRange()])
    window = DateField(
        validators=[Optional(), DateRange(min=date(2026, 1, 1), max=date(2026, 12, 31))]
    )


class _Data(dict):
    """The smallest formdata WTForms accepts."""

    def getlist(self, key):
        return [self[key]] if key in self else []


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2000-01-01", True),
        ("2100-12-31", True),
        ("1999-12-31", False),
        ("2101-01-01", False),
        ("9999-12-31", False),
        ("0001-01-01", False),
        ("", True),  # optional: nothing to check
    ],
)
def test_date_range_bounds_are_inclusive(ctx, value, valid):
    form = _DayForm(_Data(day=value))
    assert form.validate() is valid, form.errors
    if not valid:
        assert form.errors == {"day": [RANGE_MESSAGE]}


def test_date_range_takes_its_own_bounds_and_ignores_unparsed_dates(ctx):
    form = _DayForm(_Data(window="2027-01-01"))
    assert not form.validate()
    assert form.errors["window"] == [
        "La date doit être comprise entre le 1er janvier 2026 et le 31 décembre 2026."
    ]
    form = _DayForm(_Data(day="pas une date"))
    assert not form.validate()
    assert form.errors["day"] == ["Not a valid date value."]  # WTForms' own, no crash


# Event dates ------------------------------------------------------------------------------------


def _event_form(**changes) -> dict:
    data = {
        "kind": "session",
        "territory": "0",
        "title": "Session du futur",
        "start_date": "2026-06-22",
        "start_time": "09:30",
        "end_date": "2026-06-22",
        "end_time": "17:00",
        "venue_name": "",
        "venue_address": "",
        "access_notes": "",
        "online_url": "",
        "speakers": "",
        "description": "",
        "items-0-day": "",
        "items-0-start_time": "09:30",
        "items-0-end_time": "10:30",
        "items-0-kind": "plenary",
        "items-0-title": "Ouverture",
        "items-0-speaker": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes",
    [
        {"start_date": "9999-12-31", "end_date": "9999-12-31"},
        {"start_date": "0001-01-01", "end_date": "0001-01-01"},
        {"end_date": "9999-12-31"},
        {"items-0-day": "9999-12-31"},
    ],
    ids=["far-future", "year-one", "end-only", "programme-day"],
)
def test_event_dates_out_of_range_are_a_400_with_a_message(app, login_as, world, changes):
    client = login_as("coordinator")
    response = client.post(f"/cohorts/{world['cohort_a']}/events/new", data=_event_form(**changes))
    assert response.status_code == 400
    assert RANGE_MESSAGE in page_text(response)
    with app.app_context():
        count = db.session.scalar(
            select(func.count(Event.id)).where(Event.title == "Session du futur")
        )
    assert count == 0


# Ids too large for the database ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/cohorts/99999999999999999999",
        "/cohorts/9223372036854775808/calendar",
        "/events/9223372036854775808",
        "/events/9223372036854775808/edit",
        "/territories/9223372036854775808/edit",
        "/cohorts/2147483648/outbox",
        "/cohorts/" + "9" * 5000,  # more digits than int() accepts
    ],
)
def test_ids_beyond_the_integer_range_are_a_404(login_as, world, url):
    response = login_as("coordinator").get(url)
    assert response.status_code == 404
    assert "Cette page n'existe pas ou plus." in page_text(response)


def test_largest_integer_id_is_still_routed(login_as, world):
    client = login_as("coordinator")
    assert client.get("/cohorts/2147483647").status_code == 404  # routed, then not found
    assert client.get(f"/cohorts/{world['cohort_a']}").status_code == 200


def test_every_int_route_uses_the_bounded_converter(app):
    converters = [
        converter
        for rule in app.url_map.iter_rules()
        for converter in rule._converters.values()
        if isinstance(converter, IntegerConverter)
    ]
    assert converters  # there are int routes
    assert all(isinstance(c, BoundedIntegerConverter) for c in converters)
    assert {c.max for c in converters} == {2**31 - 1}


# Outbox pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("1", 200),
        ("10000", 404),  # in range, but empty
        ("10001", 404),
        ("99999999999999999999", 404),
        ("0", 404),
        ("-1", 404),
    ],
)
def test_outbox_page_numbers_out_of_range_are_a_404(login_as, world, page, status):
    response = login_as("coordinator").get(f"/cohorts/{world['cohort_a']}/outbox?page={page}")
    assert response.status_code == status
