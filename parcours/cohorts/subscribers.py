"""What cohorts do when something happens to accounts, the domain below them."""

from flask_login import user_logged_in

from parcours.cohorts import operations


@user_logged_in.connect
def _accept_memberships(sender, user, **extra) -> None:
    # Logging in (the invitation link included) is accepting: the cohorts that invited this
    # person now show the name they gave themselves. The request commits it with the login.
    operations.accept_memberships(user)
