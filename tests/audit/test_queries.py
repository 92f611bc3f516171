"""Reading the audit log: who acted, as a page names them, and the people a filter offers."""

from flask_babel import force_locale

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


def test_details_read_as_pairs_in_words(ctx):
    # A key or a code nobody named is shown as written, never hidden.
    assert (
        queries.details_text({"from": "a", "to": None, "ok": True})
        == "avant : a · après : — · ok : oui"
    )
    assert (
        queries.details_text({"role": "coach", "via": "invitation"})
        == "rôle : Accompagnateur·rice · par : invitation"
    )
    assert (
        queries.details_text({"from": "solicited", "to": "accepted"})
        == "avant : Sollicité · après : Accepté"
    )
    assert (
        queries.details_text({"kind": "midway", "version": 2, "variants": "full,pseudonymised"})
        == "type : Dossier de mi-parcours · version : 2 · variantes : complet, pseudonymisé"
    )
    assert queries.details_text({"document": "ratings", "format": "xlsx"}) == (
        "document : niveaux des auto-évaluations · format : xlsx"
    )
    assert queries.details_text({"owner_type": "follow_up_records", "owner_id": 4}) == (
        "rattaché à : compte rendu de suivi · n° de l'objet : 4"
    )


def test_details_follow_the_readers_language(ctx):
    with force_locale("en"):
        assert queries.details_text({"role": "coach", "via": "invitation"}) == (
            "role: Coach · via: invitation"
        )


def test_the_object_is_named_by_its_kind_and_number(app, world, ctx):
    for number, kind in ((987001, "memberships"), (987002, "user"), (987003, "unheard_of")):
        audit.record(
            AuditAction.EXPORTED, actor=world["coordinator"], target=number, object_type=kind
        )
    audit.record(AuditAction.EXPORTED, actor=world["coordinator"], object_type="follow_up_records")
    db.session.flush()
    rows = queries.all_entries(AuditFilter())
    shown = {row.entry.object_id: row.object_label for row in rows}
    assert shown[987001] == "membre de la cohorte n° 987001"
    assert shown[987002] == "compte n° 987002"  # an erasure names the person's account so
    assert shown[987003] == "unheard_of n° 987003"
    assert "compte rendu de suivi" in {row.object_label for row in rows}  # no number
    with force_locale("en"):
        english = {row.entry.object_id: row.object_label for row in rows}
    assert english[987001] == "cohort member no. 987001"


def test_every_model_names_itself_for_the_audit_log(app):
    unnamed = [
        mapper.class_.__name__
        for mapper in db.Model.registry.mappers
        if not getattr(mapper.class_, "__audit_label__", None)
    ]
    assert unnamed == [], "give these models an __audit_label__ (see audit/labels.py)"
