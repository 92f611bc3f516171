"""Remove someone through the pages, as a coordinator does: confirmation page, then confirm."""

from tests.forms import form_values


def confirm_removal(client, cohort_id: int, membership_id: int, **options):
    """Open the confirmation page of a removal and confirm it; return the POST's response."""
    url = f"/cohorts/{cohort_id}/members/{membership_id}/remove"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data=form_values(page, url), **options)
