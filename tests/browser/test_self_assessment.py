"""The self-assessment form in a real Chromium: saved in the background under the CSP."""

import pytest
from playwright.sync_api import expect

from parcours.competences import answers as ans
from parcours.competences.models import AssessmentDraft
from parcours.core.extensions import db
from parcours.core.time import PARIS, freeze
from parcours.outbox import mail
from tests.competences import factories as f

pytestmark = pytest.mark.browser


def test_a_change_is_saved_in_the_background_and_said_so(app, page, page_problems, log_in, world):
    with app.test_request_context():
        moment = f.inside(world["cohort_a"], "T0")
    with freeze(moment):
        with app.test_request_context():
            mail.suppress_until_commit()
            campaign_id = f.open_campaign(world["cohort_a"], "T0", world["coordinator"]).id
            db.session.commit()
        log_in("a1@example.org")
        page.goto(f"/auto-evaluations/{campaign_id}/moi")
        page.locator("fieldset#c-D0-1").get_by_label("2 — De plus en plus pratiqué").check()
        status = page.locator("[data-autosave-status]")
        expect(status).to_have_text(f"Brouillon enregistré à {moment.astimezone(PARIS):%H:%M}")
        first = page.locator("input[name=version]").input_value()
        page.locator("fieldset#c-D0-2").get_by_label("Je ne sais pas").check()
        expect(page.locator("input[name=version]")).not_to_have_value(first)
        with app.app_context():
            draft = db.session.query(AssessmentDraft).one()
            answer = ans.from_data(draft.data)
            assert answer.rating("D0.1").level == 2 and answer.rating("D0.2").unknown
        page.locator("fieldset#c-D0-3 summary").click()
        page.locator("#url-D0-3").fill("pas une adresse")
        expect(status).to_contain_text("le lien doit être une adresse web complète")
    assert page_problems.csp_violations() == []
    assert page_problems.errors(422) == []
