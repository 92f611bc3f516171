"""Attestation pages: the coordinator's list, issuing, downloads, « Mon attestation », and the
public verification page behind the PDF's link and QR code."""

import hashlib
import hmac

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from parcours.audit import labels as audit_labels
from parcours.audit import operations as audit
from parcours.audit.models import AuditAction
from parcours.cohorts.models import Cohort, Membership
from parcours.core.downloads import file_response
from parcours.core.extensions import db
from parcours.core.forms import EmptyForm
from parcours.core.pipeline import ANYONE, Rollback, handles
from parcours.core.text import slug
from parcours.evaluation.attestations import operations, queries
from parcours.evaluation.attestations import sections as _sections  # noqa: F401
from parcours.evaluation.attestations.forms import CheckFileForm
from parcours.evaluation.attestations.permissions import (
    can_download_final_attestation,
    can_manage_attestations,
    can_read_own_attestation,
)
from parcours.evaluation.blueprint import bp
from parcours.evaluation.models import FinalAttestation

audit_labels.name_values("document", {"final_attestation": _l("attestation de fin de parcours")})

#: The largest file the verification page hashes: an attestation is a page or two.
CHECK_MAX_BYTES = 2 * 1024 * 1024
#: What a multipart request adds around the file (boundaries, headers, the CSRF field).
_REQUEST_OVERHEAD = 16 * 1024
#: The longest token a link may carry (``token_urlsafe(32)`` gives 43 characters).
TOKEN_MAX_LENGTH = 64

TOO_LARGE = _l(
    "Ce fichier dépasse 2 Mo : ce n'est pas une attestation de fin de parcours. Choisissez le "
    "fichier PDF reçu."
)
RACE = _l("Une autre attestation vient d'être délivrée au même moment : la liste est à jour.")


def _list_url(cohort: Cohort) -> str:
    return url_for("evaluation.final_attestations", cohort_id=cohort.id)


@bp.get("/cohorts/<int:cohort_id>/final-attestations")
@handles(load={"cohort": Cohort}, allow=can_manage_attestations)
def final_attestations(cohort: Cohort):
    """List the cohort's catalyseurs with their attestations de fin de parcours."""
    rows = queries.cohort_attestations(cohort)
    return render_template(
        "evaluation/attestations/list.html",
        cohort=cohort,
        rows=rows,
        missing=sum(1 for row in rows if row.latest is None),
        refusal=operations.issue_refusal(cohort),
        form=EmptyForm(),
    )


@bp.post("/cohorts/<int:cohort_id>/final-attestations/<int:user_id>")
@handles(load={"cohort": Cohort}, allow=can_manage_attestations)
def issue_attestation(cohort: Cohort, user_id: int):
    """Issue one person's attestation (the next version if they have one)."""
    # Looked up after the access check: only those who run the cohort learn who is in it.
    member = db.session.scalar(
        select(Membership).where(Membership.cohort_id == cohort.id, Membership.user_id == user_id)
    )
    if member is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attestation = operations.issue(cohort, member, by=current_user)
    except operations.AttestationRefused as refusal:
        flash(str(refusal), "error")
        raise Rollback(redirect(_list_url(cohort))) from None
    except IntegrityError:  # the same person's next number, issued by two clicks at once
        flash(str(RACE), "info")
        raise Rollback(redirect(_list_url(cohort))) from None
    if attestation.number == 1:
        message = _("L'attestation de %(name)s est délivrée.", name=member.user.full_name)
    else:
        message = _(
            "Une nouvelle version (n° %(number)d) de l'attestation de %(name)s est délivrée ; "
            "les précédentes restent valables.",
            number=attestation.number,
            name=member.user.full_name,
        )
    flash(message, "success")
    return redirect(_list_url(cohort))


@bp.post("/cohorts/<int:cohort_id>/final-attestations/issue-all")
@handles(load={"cohort": Cohort}, allow=can_manage_attestations)
def issue_all_attestations(cohort: Cohort):
    """Issue an attestation to every catalyseur who has none yet."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        issued = operations.issue_all(cohort, by=current_user)
    except operations.AttestationRefused as refusal:
        flash(str(refusal), "error")
        raise Rollback(redirect(_list_url(cohort))) from None
    except IntegrityError:
        flash(str(RACE), "info")
        raise Rollback(redirect(_list_url(cohort))) from None
    if issued:
        flash(
            ngettext(
                "%(num)d attestation délivrée.", "%(num)d attestations délivrées.", len(issued)
            ),
            "success",
        )
    else:
        flash(_("Chaque catalyseur a déjà son attestation : aucune n'a été ajoutée."), "info")
    return redirect(_list_url(cohort))


@bp.get("/final-attestations/<int:attestation_id>.pdf")
@handles(load={"attestation": FinalAttestation}, allow=can_download_final_attestation)
def download_final_attestation(attestation: FinalAttestation):
    """Download an attestation de fin de parcours, as it was issued."""
    holder = attestation.user.full_name if attestation.user else "attestation"
    suffix = f"-v{attestation.number}" if attestation.number > 1 else ""
    filename = (
        f"attestation-fin-de-parcours-{slug(attestation.cohort.name)}-{slug(holder)}{suffix}.pdf"
    )
    audit.record(
        AuditAction.REPORT_DOWNLOADED,
        actor=current_user,
        subject=attestation.user_id,
        cohort=attestation.cohort_id,
        target=attestation,
        details={"document": "final_attestation", "version": attestation.number},
    )
    return file_response(attestation.pdf, filename, "application/pdf")


@bp.get("/cohorts/<int:cohort_id>/my-final-attestation")
@handles(load={"cohort": Cohort}, allow=can_read_own_attestation)
def my_final_attestation(cohort: Cohort):
    """« Mon attestation de fin de parcours »: its versions, or when it will come."""
    attestations = queries.attestations_of(cohort, current_user.id)
    return render_template(
        "evaluation/attestations/mine.html",
        cohort=cohort,
        attestations=attestations,
        opens=operations.issuable_from(cohort) if not attestations else None,
    )


def _by_token(token: str) -> FinalAttestation | None:
    return queries.by_token(token) if len(token) <= TOKEN_MAX_LENGTH else None


def _digest(upload) -> str | None:
    """Return the SHA-256 of ``upload``, read in chunks; None when it exceeds the limit."""
    digest, size = hashlib.sha256(), 0
    while chunk := upload.stream.read(64 * 1024):
        size += len(chunk)
        if size > CHECK_MAX_BYTES:
            return None
        digest.update(chunk)
    return digest.hexdigest()


@bp.route("/verifier/<token>", methods=["GET", "POST"])
@handles(load={"attestation": _by_token}, allow=ANYONE)
def verify_attestation(attestation: FinalAttestation):
    """Confirm that an attestation exists, and check a PDF against it; nothing is stored."""
    form = CheckFileForm()
    result, status = None, 200
    if request.method == "POST":
        if (request.content_length or 0) > CHECK_MAX_BYTES + _REQUEST_OVERHEAD:
            form.document.errors = [str(TOO_LARGE)]
            status = 413
        elif form.validate_on_submit():
            sha = _digest(form.document.data)
            if sha is None:
                form.document.errors = [str(TOO_LARGE)]
                status = 413
            else:
                result = "match" if hmac.compare_digest(sha, attestation.sha256) else "mismatch"
        else:
            status = 400
    page = render_template(
        "evaluation/attestations/verify.html",
        attestation=attestation,
        programme=attestation.cohort.curriculum.programme.name,
        form=form,
        result=result,
    )
    # The link is shown to whoever holds the paper: no search engine should list it.
    return page, status, {"X-Robots-Tag": "noindex, nofollow"}
