"""Who may use the administration pages: administrators, and nobody else."""

from parcours.accounts.models import User


def is_administrator(user: User) -> bool:
    """Administrators run the platform; a cohort role gives no access here."""
    return user.is_authenticated and user.is_admin
