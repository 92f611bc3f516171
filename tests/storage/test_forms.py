"""FilesField: every file checked by its bytes, refusals shown with the rest of the form kept."""

import io
from html import unescape

from flask import render_template_string
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms import StringField
from wtforms.validators import DataRequired

from parcours.core.forms import AppForm, form_errors
from parcours.storage import files
from parcours.storage.forms import FilesField
from tests.conftest import page_text
from tests.storage import samples

AGAIN = (
    "Rien n'a été joint : choisissez à nouveau les fichiers à envoyer (le navigateur ne peut "
    "pas garder ceux choisis avant l'erreur)."
)


class _ReportForm(AppForm):
    class Meta:
        csrf = False

    title = StringField("Titre", validators=[DataRequired()])
    attachments = FilesField("Pièces jointes")


class _ScanForm(AppForm):
    class Meta:
        csrf = False

    scans = FilesField("Feuille signée", kinds=files.SCAN_KINDS, validators=[DataRequired()])


def _part(content: bytes, name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name)


def _submit(app, form_class, data: dict, uploads: list[FileStorage]):
    formdata = MultiDict(data)
    for upload in uploads:
        formdata.add(_files_name(form_class), upload)
    form = form_class(formdata=formdata)
    return form, form.validate()


def _files_name(form_class) -> str:
    return next(name for name, f in form_class()._fields.items() if isinstance(f, FilesField))


def test_accepted_files_are_the_data_empty_parts_left_out(app):
    with app.test_request_context(method="POST"):
        form, valid = _submit(
            app,
            _ReportForm,
            {"title": "Visite"},
            [_part(samples.pdf(), "cr.pdf"), _part(b"", ""), _part(samples.png(), "p.png")],
        )
        assert valid
        assert [u.filename for u in form.attachments.data] == ["cr.pdf", "p.png"]
        assert all(u.stream.tell() == 0 for u in form.attachments.data)  # ready to store


def test_no_file_is_no_data_unless_required(app):
    with app.test_request_context(method="POST"):
        form, valid = _submit(app, _ReportForm, {"title": "Visite"}, [_part(b"", "")])
        assert valid
        assert form.attachments.data == []
        form, valid = _submit(app, _ScanForm, {}, [_part(b"", "")])
        assert not valid
        assert form.scans.errors == ["Ce champ est requis."]


def test_a_refused_file_is_an_error_of_the_field_and_the_rest_is_kept(app):
    with app.test_request_context(method="POST"):
        form, valid = _submit(
            app,
            _ReportForm,
            {"title": "Visite du 3 mai à Bourges"},
            [_part(samples.pdf(), "cr.pdf"), _part(samples.exe(), "plan.pdf")],
        )
        assert not valid
        assert form.title.data == "Visite du 3 mai à Bourges"
        assert form.attachments.errors == [
            "« plan.pdf » n'est pas accepté : seuls les photos (JPEG, PNG, WebP), les PDF et "
            "les documents bureautiques (Word, Excel, PowerPoint, OpenDocument) le sont.",
            AGAIN,
        ]
        # The error summary names the field, and links to it.
        assert form_errors(form)[0].text.startswith("Pièces jointes : « plan.pdf »")
        assert form_errors(form)[0].anchor == "attachments"


def test_every_refusal_is_listed(app):
    with app.test_request_context(method="POST"):
        form, valid = _submit(
            app,
            _ScanForm,
            {},
            [_part(b"", "vide.pdf"), _part(samples.webp(), "scan.webp")],
        )
        assert not valid
        assert form.scans.errors == [
            "« vide.pdf » est vide.",
            "« scan.webp » n'est pas accepté : seuls les photos (JPEG, PNG) et les PDF le sont.",
            AGAIN,
        ]


def test_at_most_the_configured_number_of_files(app, monkeypatch):
    monkeypatch.setitem(app.config, "PARCOURS_MAX_FILES_PER_FORM", 2)
    with app.test_request_context(method="POST"):
        uploads = [_part(samples.pdf(), f"{n}.pdf") for n in range(3)]
        form, valid = _submit(app, _ReportForm, {"title": "x"}, uploads)
        assert not valid
        assert form.attachments.errors == ["Envoyez au plus 2 fichiers à la fois.", AGAIN]
        form, valid = _submit(app, _ReportForm, {"title": "x"}, uploads[:2])
        assert valid


def test_the_default_is_five_files(app):
    assert app.config["PARCOURS_MAX_FILES_PER_FORM"] == 5


_PAGE = """
{% from "storage/_files.html" import file_input %}
<form method="post" enctype="multipart/form-data">{{ file_input(form.attachments) }}</form>
"""


def test_the_input_says_what_it_accepts_and_its_errors(app):
    with app.test_request_context(method="POST"):
        form, _ = _submit(app, _ReportForm, {"title": "x"}, [_part(samples.html(), "a.pdf")])
        html = render_template_string(_PAGE, form=form)
    assert 'type="file"' in html and "multiple" in html
    assert f'accept="{files.ATTACHMENT_KINDS.accept}"' in html
    assert 'aria-describedby="attachments-hint attachments-error"' in html
    assert 'aria-invalid="true"' in html
    assert '<label for="attachments">Pièces jointes</label>' in html
    text = " ".join(html.split())
    assert (
        "JPEG, PNG, WebP, PDF, documents bureautiques — 10 Mo maximum par fichier, "
        "5 fichiers au plus à la fois."
    ) in text
    assert "« a.pdf » n'est pas accepté" in unescape(text)


def test_the_input_names_the_files_to_choose_again_after_another_fields_error(app):
    with app.test_request_context(method="POST"):
        form, valid = _submit(app, _ReportForm, {"title": ""}, [_part(samples.pdf(), "cr.pdf")])
        assert not valid and not form.attachments.errors
        html = " ".join(render_template_string(_PAGE, form=form).split())
    assert (
        "Le fichier choisi (cr.pdf) n'a pas été joint, le formulaire contenant une erreur : "
        "choisissez-le à nouveau."
    ) in html
    assert 'aria-describedby="attachments-hint attachments-again"' in html


# Through a real request: the multipart body, the request limit ---------------------------


def test_a_request_with_a_refused_file_comes_back_with_what_was_typed(probe):
    response = probe.post(
        "/probe/report",
        data={"title": "Visite à Vierzon", "attachments": [(io.BytesIO(samples.html()), "cr.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert 'value="Visite à Vierzon"' in response.get_data(as_text=True)
    assert "« cr.pdf » n'est pas accepté" in page_text(response)


def test_a_request_stores_what_the_bytes_say(probe):
    response = probe.post(
        "/probe/report",
        data={
            "title": "Visite",
            "attachments": [(io.BytesIO(samples.png()), "plan.pdf"), (io.BytesIO(b""), "")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.json["types"] == ["image/png"]


def test_the_request_limit_follows_the_upload_settings(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 10 * 1024 * 1024 + 1024 * 1024


def test_a_request_past_the_limit_gets_the_413_page_in_the_layout(probe_app, probe, monkeypatch):
    monkeypatch.setitem(probe_app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = probe.post(
        "/probe/report",
        data={"title": "x", "attachments": [(io.BytesIO(b"\x00" * 100 * 1024), "gros.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    text = page_text(response)
    assert "Fichier trop volumineux (413)" in text
    assert "parcours d'expérience des catalyseurs territoriaux" in text


def test_a_file_too_large_within_the_request_limit_is_a_form_error(probe_app, probe, monkeypatch):
    monkeypatch.setitem(probe_app.config, "PARCOURS_MAX_UPLOAD_MB", 0.05)
    big = samples.pdf() + b"\n" * 60 * 1024
    response = probe.post(
        "/probe/report",
        data={"title": "x", "attachments": [(io.BytesIO(big), "gros.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "« gros.pdf » dépasse la taille maximale de 51,2 Ko." in page_text(response)
