"""« Mes données »: the page, the downloads (one's own, or anyone's for an administrator),
the withdrawal of a consent to publication, and the erasure of a person on request."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from parcours.accounts.models import User
from parcours.core import errors
from parcours.core.downloads import file_response
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import LOGGED_IN, handles
from parcours.evaluation.models import SurveyAnswer
from parcours.privacy import consent, erasure
from parcours.privacy.blueprint import bp
from parcours.privacy.forms import ErasureForm
from parcours.privacy.personal_data_ops import can_export_for, export
from parcours.suivi.models import JournalEntry

_FORMAT = "<any(json, html):fmt>"


@bp.get("/mes-donnees")
@handles(allow=LOGGED_IN)
def my_data():
    """Show « Mes données »: the downloads, and the consents one may withdraw."""
    return render_template(
        "privacy/my_data.html",
        testimonies=consent.testimonies_of(current_user),
        stories=consent.stories_of(current_user),
        form=EmptyForm(),
    )


def _download(person: User, fmt: str, back_url: str):
    if not EmptyForm().validate_on_submit():
        return errors.refused(errors.EXPIRED, back_url=back_url)
    found = export(person, fmt, by=current_user)
    return file_response(found.content, found.filename, found.mimetype)


@bp.post(f"/mes-donnees/export.{_FORMAT}")
@handles(allow=LOGGED_IN)
def download_my_data(fmt: str):
    """Download everything Parcours holds about oneself; the download is audited."""
    return _download(current_user, fmt, url_for(".my_data"))


@bp.post(f"/mes-donnees/personnes/<int:person_id>/export.{_FORMAT}")
@handles(load={"person": User}, allow=can_export_for)
def download_person_data(person: User, fmt: str):
    """Download a person's data for them (a request received by mail); audited."""
    return _download(person, fmt, url_for("admin.user", user_id=person.id))


@bp.route("/mes-donnees/temoignages/<int:answer_id>/retirer", methods=["GET", "POST"])
@handles(load={"answer": SurveyAnswer}, allow=consent.can_withdraw_testimony)
def withdraw_testimony(answer: SurveyAnswer):
    """Confirm, then withdraw the consent to publish one's testimony."""
    form = EmptyForm()
    if form.validate_on_submit():
        if consent.withdraw_testimony(answer, by=current_user):
            flash(_("Votre consentement est retiré : ce témoignage n'est plus publié."), "success")
        else:
            flash(_("Ce témoignage n'était pas ou plus publiable : rien n'a changé."), "info")
        return redirect(url_for(".my_data", _anchor="consents"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "privacy/my_data_withdraw.html",
        kind="testimony",
        title=answer.response.survey.title,
        text=answer.text,
        withdrawn=answer.consent_withdrawn_at is not None,
        form=form,
    ), status


@bp.route("/mes-donnees/belles-histoires/<int:entry_id>/retirer", methods=["GET", "POST"])
@handles(load={"entry": JournalEntry}, allow=consent.can_withdraw_story)
def withdraw_story(entry: JournalEntry):
    """Confirm, then stop sharing one's belle histoire with the cohort."""
    form = EmptyForm()
    if form.validate_on_submit():
        if consent.withdraw_story(entry, by=current_user):
            flash(
                _("Votre consentement est retiré : cette histoire n'est plus lue par la cohorte."),
                "success",
            )
        else:
            flash(
                _("Cette histoire n'était pas partagée avec la cohorte : rien n'a changé."), "info"
            )
        return redirect(url_for(".my_data", _anchor="consents"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "privacy/my_data_withdraw.html",
        kind="story",
        title=entry.title,
        text=entry.what_we_did,
        withdrawn=not entry.is_belle_histoire,
        form=form,
    ), status


@bp.route("/mes-donnees/personnes/<int:person_id>/effacer", methods=["GET", "POST"])
@handles(load={"person": User}, allow=can_export_for)
def erase(person: User):
    """Say exactly what the erasure of a person will do, then do it once confirmed."""
    form = ErasureForm(expected_email=person.email)
    refused = erasure.refusal(person, current_user)
    status = 200
    if form.is_submitted():
        status = 400
        if refused is None and form.validate():
            name = person.full_name
            erasure.erase_person(person, by=current_user, reason=form.reason.data)
            flash(_("%(name)s est effacé·e : son compte est anonymisé.", name=name), "success")
            return redirect(url_for("admin.user", user_id=person.id))
        if refused is not None:
            status = 409
    return render_template(
        "privacy/erase.html",
        person=person,
        lines=erasure.preview(person),
        refused=refused,
        form=form,
    ), status
