"""A survey's opening e-mail and its one reminder, each sent exactly once."""

from parcours.evaluation.models import Survey, SurveyInvitation


def send_opening(survey: Survey, invitations: list[SurveyInvitation]) -> int:
    """Queue the opening e-mail to each person invited; return how many were queued."""
    return 0
