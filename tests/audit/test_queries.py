"""Reading the audit log: who acted, as a page names them, and the people a filter offers."""

from parcours.audit import operations as audit
from parcours.audit import queries
from parcours.audit.filters import AuditFilter
from parcours.audit.models import AuditAction
from parcours.core.extensions import db


def test_who_acted_reads_a_name_systeme_or_inconnu(app, world, ctx):
    audit.record(AuditAction.LOGIN_FAILED)  # an address with no account
    audit.record(AuditAction.RETENTION_PURGED)  # the scheduler
    audit.record(AuditAction.EXPORTED, actor=987654, subject=world["a1"], cohort=987)  # gone
    audit.record(AuditAction.LOGIN_SUCCEEDED, actor=world["a2"])
    db.session.flush()
    rows = queries.all_entries(AuditFilter())
    labels = {
        row.entry.action: (row.actor_label, row.subject_label, row.cohort_label) for row in rows
    }
    assert labels["login.failed"] == ("inconnu", "", "")
    assert labels["retention.purged"] == ("système", "", "")
    assert labels["data.exported"] == ("inconnu", "Catalyseur A1", "#987")
    assert labels["login.succeeded"] == ("Catalyseur A2", "", "")


def test_the_people_offered_are_those_the_log_names(app, world, ctx):
    audit.record(
        AuditAction.ROLE_CHANGED,
        actor=world["coordinator"],
        subject=world["a2"],
        cohort=world["cohort_a"],
    )
    audit.record(AuditAction.IMPORTED, actor=world["coordinator_b"], cohort=world["cohort_b"])
    db.session.flush()
    in_a = queries.people_in_log(world["cohort_a"])
    # The world's own building already names cohort A's people (their invitations).
    assert (world["a2"], "Catalyseur A2") in in_a
    assert (world["coordinator"], "Coordination A") in in_a
    assert world["coordinator_b"] not in [person for person, _name in in_a]
    assert world["outsider"] not in [person for person, _name in in_a]
    assert [name for _person, name in in_a] == sorted(name for _person, name in in_a)
    assert (world["coordinator_b"], "Coordination B") in queries.people_in_log()


def test_details_read_as_pairs():
    assert (
        queries.details_text({"from": "a", "to": None, "ok": True})
        == "from : a · to : — · ok : oui"
    )
