"""A reopened answer waits for its author on « Mon parcours », even once the campaign closed."""

from parcours.accounts.models import User
from parcours.competences import operations as ops
from parcours.core.extensions import db
from parcours.core.time import freeze
from tests.competences import factories as f
from tests.conftest import page_text


def test_a_reopened_answer_is_offered_after_the_close(app, world, login_as):
    cohort = world["cohort_a"]
    with app.test_request_context():
        with freeze(f.inside(cohort, "T0")):
            campaign = f.open_campaign(cohort, "T0", world["coordinator"])
            sent = f.submit_self(campaign, world["a1"])
        after = campaign.event.ends_at
        with freeze(after):
            ops.reopen(sent, by=db.session.get(User, world["coordinator"]))
        campaign_id = campaign.id
        db.session.commit()
    with freeze(after):
        page = login_as("a1").get(f"/cohorts/{cohort}/my-path").get_data(as_text=True)
        other = login_as("a1bis").get(f"/cohorts/{cohort}/my-path").get_data(as_text=True)
        form = page_text(login_as("a1").get(f"/auto-evaluations/{campaign_id}/moi"))
    assert "rouverte pour vous par la coordination" in page
    assert "Reprendre le brouillon" in page
    assert "rouverte pour vous" not in other and "Auto-évaluations en cours" not in other
    # The cohort's block says what is true for the whole cohort, without contradicting
    # the answer reopened for a1 just above it.
    assert "Aucune auto-évaluation n'est ouverte pour toute la cohorte" in page
    # The form no longer asks to send before a day already past.
    assert "à envoyer avant le" not in form
    assert "rouverte pour vous par la coordination : vous pouvez la modifier" in form
