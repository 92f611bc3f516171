"""The public privacy notice page."""

from flask import render_template

from parcours.core.pipeline import ANYONE, handles
from parcours.privacy import notice
from parcours.privacy.blueprint import bp


@bp.get("/donnees-personnelles")
@handles(allow=ANYONE)
def privacy_notice():
    """Show the privacy notice: purposes, data, retention, rights and contact."""
    return render_template("privacy/notice.html", notice=notice.build())
