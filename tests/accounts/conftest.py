"""Account fixtures: the shared ``make_app`` and helpers to read the e-mails sent."""

import re
from urllib.parse import urlsplit

from tests.core.conftest import clean_environment, make_app, production_app

__all__ = ["clean_environment", "link_in", "make_app", "production_app"]


def link_in(message) -> str:
    """Return the path of the one link in an e-mail, besides the privacy notice's."""
    urls = [
        url
        for url in re.findall(r"https?://\S+", message.body)
        if urlsplit(url).path != "/donnees-personnelles"
    ]
    assert len(urls) == 1, message.body
    return urlsplit(urls[0]).path
