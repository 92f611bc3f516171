"""Stored files: uploads kept in the database, so every worker and host sees the same bytes.

``files.py`` checks, stores and sends them (the contract every domain uses), ``forms.py`` has
the FilesField, ``templates/storage/_files.html`` the file input and file list macros.
"""


def init_app(app) -> None:
    """Give templates the ``filesize`` and ``filekind`` filters."""
    from parcours.storage import files

    app.jinja_env.filters["filesize"] = files.human_size
    app.jinja_env.filters["filekind"] = files.kind_label
