"""Lay a :class:`PackData` out as PDF bytes, full or pseudonymised; never touches the database."""

from parcours.evaluation.packs.gather import PackData
from parcours.reports import pdf


def render(data: PackData, *, pseudonymised: bool = False) -> bytes:
    story = [pdf.paragraph(data.cohort, "title")]
    return pdf.build(story, title=data.cohort, footer=data.cohort)
