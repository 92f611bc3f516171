"""The monitoring endpoint."""

import pytest

from tests.conftest import app_config as config_for


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "sqlite:///{tmp_path}/missing-folder/parcours.sqlite3",
    ],
    ids=["postgresql-refused", "sqlite-missing-folder"],
)
def test_healthz_answers_503_when_the_database_is_unreachable(make_app, tmp_path, url):
    broken = make_app(config_for(url.format(tmp_path=tmp_path)))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


def test_healthz_needs_no_login_and_refuses_post(client):
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
