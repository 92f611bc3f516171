"""Where log lines go: the terminal of ``flask run`` and ``flask scheduler``, or gunicorn's log.

Without this, Python drops every INFO line (the root logger stops at WARNING and has no
handler), so a development e-mail written to the log would be written nowhere.
"""

import logging

from flask import Flask
from flask.logging import default_handler, has_level_handler


def init_app(app: Flask) -> None:
    """Send the ``parcours`` loggers' INFO lines to stderr, once, unless others already do."""
    # "parcours" is also Flask's app.logger: Flask then finds this handler and adds none.
    logger = logging.getLogger("parcours")
    if app.testing or has_level_handler(logger):
        # Tests read records with caplog; a host with its own logging setup (gunicorn
        # --log-config, dictConfig) keeps it; a second create_app() finds the handler.
        return
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    # Flask's handler writes to the WSGI server's error stream during a request (gunicorn's
    # error log) and to stderr otherwise (CLI commands, the scheduler).
    logger.addHandler(default_handler)
