"""« Mot de passe oublié » : the same answer, as fast, for any address; limits on requests."""

from datetime import UTC, datetime, timedelta

from parcours.core.time import advance, freeze
from tests.conftest import page_text

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOO_MANY = "Trop de demandes de réinitialisation. Réessayez dans 60 minutes."


def _ask(client, email, address="192.0.2.10"):
    return client.post(
        "/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": address}
    )


def test_the_answer_is_the_same_work_for_known_and_unknown_addresses(
    client, create_user, outbox, query_counter
):
    create_user("ana@example.org")
    answers = {}
    for email in ("nobody@example.org", "ana@example.org"):
        with query_counter:
            response = _ask(client, email)
        # Nothing looked up, rendered or sent yet: that waits for the response to be closed.
        assert outbox == []
        answers[email] = (
            response.status_code,
            response.headers["Location"],
            response.get_data(),
            query_counter.count,
        )
        response.close()
    assert answers["ana@example.org"] == answers["nobody@example.org"]
    assert [message.to for message in outbox] == ["ana@example.org"]


def test_the_link_is_sent_once_the_response_is_closed(client, create_user, outbox):
    create_user("ana@example.org")
    response = _ask(client, "ANA@example.org")
    assert response.status_code == 302
    assert outbox == []
    response.close()
    [message] = outbox
    assert message.to == "ana@example.org"
    assert "http://parcours.test/password/reset/" in message.body


def test_requests_for_one_address_are_limited_silently(app, client, create_user, outbox):
    create_user("ana@example.org")
    with freeze(START):
        for n in range(5):  # from five different places
            response = _ask(client, "ana@example.org", f"192.0.2.{n + 1}")
            assert response.status_code == 302
            response.close()
        assert len(outbox) == 3
        assert "Si un compte existe pour cette adresse" in page_text(client.get("/login"))
        advance(timedelta(minutes=60))
        _ask(client, "ana@example.org").close()
    assert len(outbox) == 4


def test_requests_from_one_client_are_limited(client, create_user, outbox):
    create_user("ana@example.org")
    for n in range(10):
        _ask(client, f"person{n}@example.org", "203.0.113.66").close()
    response = _ask(client, "ana@example.org", "203.0.113.66")
    assert response.status_code == 429
    assert TOO_MANY in page_text(response)
    assert 'value="ana@example.org"' in response.get_data(as_text=True)  # kept as typed
    response.close()
    assert outbox == []
    other = _ask(client, "ana@example.org", "198.51.100.7")
    assert other.status_code == 302
    other.close()
    assert [message.to for message in outbox] == ["ana@example.org"]


def test_a_failure_after_the_response_is_logged_not_raised(
    app, client, create_user, outbox, monkeypatch, caplog
):
    from parcours.accounts import operations

    create_user("ana@example.org")

    def broken(email):
        raise RuntimeError("template missing")

    monkeypatch.setattr(operations, "request_password_reset", broken)
    response = _ask(client, "ana@example.org")
    response.close()
    assert response.status_code == 302
    assert outbox == []
    assert "Work after the response failed" in caplog.text
