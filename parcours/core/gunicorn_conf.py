"""Gunicorn settings for Parcours: ``gunicorn -c python:parcours.core.gunicorn_conf``.

The access log writes every request's address, and the address of a calendar feed, an
invitation or a password reset is its only credential: :class:`MaskingLogger` writes those
tokens as ``***`` (in the request line, the path, the referrer and the headers alike).
Anything given on the command line (``--workers``, ``--bind``) still applies.
"""

from gunicorn.glogging import Logger

from parcours.core.log import mask_secrets

wsgi_app = "parcours:create_app()"
accesslog = "-"  # standard output; the error log, and the application's lines, go to stderr
errorlog = "-"


class MaskingLogger(Logger):
    """Gunicorn's logger, with the tokens of secret pages masked in the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_secrets(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }


logger_class = MaskingLogger
