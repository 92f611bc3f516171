"""« Mon bilan de compétences »: a catalyseur's progression on paper, in two steps.

:func:`gather` reads the database into a plain :class:`Bilan`; :func:`render` turns it into PDF
bytes without touching the database (fonts embedded, the radar as vector graphics).
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from parcours.cohorts.models import Cohort, Membership
from parcours.competences.progression import pages
from parcours.core.i18n import format_date
from parcours.core.time import now_utc
from parcours.reports import charts, pdf


@dataclass(frozen=True)
class Bilan:
    """Everything the bilan prints, as text: no model, no query left."""

    person: str
    territory: str
    cohort: str
    referential: str
    generated_on: str
    domains: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # code, name, competences
    radar: charts.RadarChart
    radar_table: list[list[str]]
    moments: tuple[str, ...]  # names of the moments answered
    rows: tuple[pages.CompetenceRow, ...]
    comments: tuple[tuple[str, str], ...]  # (moment name, comment)
    position: tuple[tuple[str, str, str, str, str], ...]  # moment, domain, own, median, spread
    threshold: int
    largest: tuple[str, ...]
    stagnant: tuple[str, ...]


def gather(cohort: Cohort, participant: Membership, viewer) -> Bilan:
    """Read what ``viewer`` may read of ``participant``'s progression into a :class:`Bilan`."""
    data = pages.person_data(cohort, participant, viewer)
    names = {m.code: m.name for m in data["moments"]}
    referential = cohort.curriculum.referential
    return Bilan(
        person=data["person"].full_name,
        territory=data["territory"].name,
        cohort=cohort.name,
        referential=referential.name,
        generated_on=format_date(now_utc()),
        domains=tuple(
            (d.code, d.name, tuple((c.code, c.label) for c in d.competences))
            for d in referential.domains
        ),
        radar=data["radar"].chart,
        radar_table=data["radar"].table,
        moments=tuple(m.name for m in data["moments"]),
        rows=tuple(data["rows"]),
        comments=tuple(
            (names.get(moment, moment), comment) for moment, comment in data["comments"]
        ),
        position=tuple(
            (row.moment.name, f"{row.domain} · {row.name}", row.own, row.median, row.spread)
            for row in data["position"]
        ),
        threshold=data["figures"].threshold if data["figures"] else 0,
        largest=tuple(data["progress_lines"]["largest"]),
        stagnant=tuple(data["progress_lines"]["stagnant"]),
    )


def render(bilan: Bilan) -> bytes:
    """Lay out ``bilan`` as PDF bytes."""
    width = pdf.content_width()
    story = [
        pdf.paragraph(_("Mon bilan de compétences"), "title"),
        pdf.paragraph(f"{bilan.person} · {bilan.territory} · {bilan.cohort}", "subtitle"),
        pdf.paragraph(
            _(
                "Le niveau d'un domaine est la moyenne des niveaux de ses compétences ; « je ne"
                " sais pas » n'y entre pas, et « — » dit qu'aucun niveau n'a été donné."
            ),
            "muted",
        ),
        pdf.paragraph(_("Niveau par domaine"), "heading"),
        charts.flowable(charts.draw(bilan.radar, width, show_title=False)),
        pdf.data_table(bilan.radar_table, width),
        pdf.paragraph(_("Progression"), "heading"),
    ]
    if bilan.largest or bilan.stagnant:
        for label, lines in (
            (_("Plus forte progression"), bilan.largest),
            (_("Stagnation"), bilan.stagnant),
        ):
            if lines:
                story.append(pdf.paragraph(f"{label} : {' ; '.join(lines)}"))
    else:
        story.append(
            pdf.paragraph(
                _(
                    "La progression se lit dès que deux temps d'auto-évaluation ont reçu"
                    " une réponse."
                ),
                "muted",
            )
        )
    if bilan.position:
        story.append(pdf.paragraph(_("Se compter"), "heading"))
        story.append(
            pdf.paragraph(
                _(
                    "Médiane et écart interquartile des auto-évaluations de la cohorte, calculés"
                    " à partir d'au moins %(min)d réponses.",
                    min=bilan.threshold,
                ),
                "muted",
            )
        )
        header = [_("Domaine"), _("Temps"), _("Niveau"), _("Médiane"), _("Écart interquartile")]
        rows = [
            [domain, moment, own, median, spread]
            for moment, domain, own, median, spread in bilan.position
        ]
        story.append(pdf.data_table([header, *rows], width))
    story.append(
        pdf.paragraph(
            _("Référentiel « %(name)s » : niveau par compétence", name=bilan.referential), "heading"
        )
    )
    if bilan.moments:
        rows = [[_("Compétence"), *bilan.moments]]
        rows += [[f"{row.code} {row.label}", *row.cells] for row in bilan.rows]
        story.append(pdf.data_table(rows, width))
    for row in bilan.rows:
        for moment, comment in row.comments:
            story.append(pdf.paragraph(f"{row.code} ({moment}) : {comment}", "small"))
        for moment, title in row.evidence:
            story.append(
                pdf.paragraph(
                    _(
                        "%(code)s (%(moment)s), preuve : %(title)s",
                        code=row.code,
                        moment=moment,
                        title=title,
                    ),
                    "small",
                )
            )
    for moment, comment in bilan.comments:
        story.append(
            pdf.paragraph(
                _("Commentaire (%(moment)s) : %(comment)s", moment=moment, comment=comment)
            )
        )
    return pdf.build(
        story,
        title=_("Bilan de compétences — %(name)s", name=bilan.person),
        footer=_("%(cohort)s · édité le %(date)s", cohort=bilan.cohort, date=bilan.generated_on),
    )
