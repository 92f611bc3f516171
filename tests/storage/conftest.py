"""An application with two probe pages that use the storage API as a domain's views would."""

import pytest
from flask import Blueprint, render_template_string, request
from wtforms import StringField
from wtforms.validators import DataRequired

from parcours import create_app
from parcours.core.extensions import db
from parcours.core.forms import AppForm
from parcours.core.pipeline import ANYONE, handles
from parcours.storage import files
from parcours.storage.forms import FilesField
from parcours.storage.models import StoredFile
from tests.conftest import app_config


class ReportForm(AppForm):
    title = StringField("Titre", validators=[DataRequired()])
    attachments = FilesField("Pièces jointes")


_PAGE = """
{% from "storage/_files.html" import file_input %}
<form method="post" enctype="multipart/form-data">
  <input name="title" value="{{ form.title.data or '' }}">
  {{ file_input(form.attachments) }}
</form>"""


def _probe() -> Blueprint:
    bp = Blueprint("storage_probe", __name__)

    @bp.route("/probe/report", methods=["GET", "POST"])
    @handles(allow=ANYONE)
    def report():
        form = ReportForm()
        if form.validate_on_submit():
            stored = [
                files.store(upload, user_id=None, kinds=form.attachments.kinds)
                for upload in form.attachments.data
            ]
            return {"stored": [s.id for s in stored], "types": [s.content_type for s in stored]}
        status = 400 if form.is_submitted() else 200
        return render_template_string(_PAGE, form=form), status

    def stored_file(file_id: int):
        return db.session.get(StoredFile, file_id)

    @bp.get("/probe/files/<int:file_id>")
    @handles(load={"stored": stored_file}, allow=ANYONE)
    def download(stored: StoredFile):
        return files.send(stored, thumbnail=request.args.get("thumbnail") == "1")

    return bp


@pytest.fixture(scope="module")
def probe_app(app, database_url_for_tests):
    """The application, with the probe pages (a route cannot be added to one already used)."""
    application = create_app(app_config(database_url_for_tests))
    application.register_blueprint(_probe())
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def probe(probe_app, app):
    """A client of the probe application, on the test's rolled-back database."""
    return probe_app.test_client()
