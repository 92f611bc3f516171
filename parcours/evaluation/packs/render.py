"""Render a committee pack's :class:`PackData` to PDF, full or pseudonymised, without a query.

The **pseudonymised** version is for sharing beyond the Comité d'orientation:

- territories are named by their codes (T01…, ``codes``), never by name, structure, department
  or region; nobody is named (catalyseurs, coaches, testimonies' authors);
- no free text that could name someone: refusal reasons, survey text answers and the editorial
  section are left out; testimonies are printed only where their author consented, unsigned;
- a figure drawn from fewer than ``data.min_anonymous`` people (k ≥ 5) is hidden: a
  territory's radar, a survey question answered by fewer people.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from reportlab.platypus import KeepTogether, PageBreak, Spacer

from parcours.agenda.models import KIND_LABELS, EventKind
from parcours.cohorts.models import CARRIER_TYPES, STATUS_LABELS, TERRITORY_KINDS, TerritoryStatus
from parcours.core.i18n import format_date, format_datetime
from parcours.curricula.schema import PackKind, QuestionKind
from parcours.evaluation.packs.data import PackData, TerritoryInfo
from parcours.reports import charts, pdf

NO_DATA = "—"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def pack_title(kind: PackKind) -> str:
    """Return the pack's title in the reader's language."""
    return {
        PackKind.LAUNCH: _("Dossier de lancement du Comité d'orientation"),
        PackKind.MIDWAY: _("Dossier de mi-parcours du Comité d'orientation"),
        PackKind.FINAL: _("Dossier de bilan du Comité d'orientation"),
    }[PackKind(kind)]


def render(data: PackData, *, pseudonymised: bool, codes: dict[int, str] | None = None) -> Rendered:
    """Lay out ``data`` as PDF bytes; ``codes`` (territory id → T01…) names the territories of
    the pseudonymised version, which refuses to render without one for every territory."""
    if pseudonymised:
        missing = [t.id for t in data.composition.territories if t.id not in (codes or {})]
        if missing:
            raise ValueError(f"no code for territories {missing}")
    writer = _Writer(data, pseudonymised, codes or {})
    story = writer.story()
    title = pack_title(data.kind)
    content = pdf.build(
        story,
        title=f"{title} — {data.cohort}",
        footer=writer.footer(),
        subject=_("Données au %(day)s", day=_day(data.as_of))
        + (" — " + _("version pseudonymisée") if pseudonymised else ""),
        author=data.programme,
        outline=True,
    )
    return Rendered(pdf=content, pages=_page_count(content))


def _page_count(content: bytes) -> int:
    # reportlab writes one « /Type /Page » per page object (and « /Pages » once).
    return content.count(b"/Type /Page\n") + content.count(b"/Type /Page ")


def _day(value) -> str:
    return format_date(value, "dd/MM/yyyy")


def _percent(part: int, whole: int) -> str:
    if not whole:
        return NO_DATA
    return charts.format_value(round(100 * part / whole), "%")


def _ratio(part: int, whole: int) -> str:
    """« 7 / 9 (78 %) »: every figure with its denominator."""
    if not whole:
        return _("%(part)d / %(whole)d", part=part, whole=whole)
    return _(
        "%(part)d / %(whole)d (%(percent)s)", part=part, whole=whole, percent=_percent(part, whole)
    )


def _level(value: float | None) -> str:
    return NO_DATA if value is None else charts.format_value(round(value, 2))


class _Writer:
    """One rendering: the data, the variant, and the story being written."""

    def __init__(self, data: PackData, pseudonymised: bool, codes: dict[int, str]):
        self.data = data
        self.pseudo = pseudonymised
        self.codes = codes
        self.width = pdf.content_width()
        self.k = data.min_anonymous

    # Words ------------------------------------------------------------------------------------

    def name(self, territory: TerritoryInfo) -> str:
        return self.codes[territory.id] if self.pseudo else territory.name

    def footer(self) -> str:
        variant = _("version pseudonymisée") if self.pseudo else _("version complète")
        return f"{pack_title(self.data.kind)} · {self.data.cohort} · {variant}"

    def as_of(self) -> pdf.Flowable:
        return pdf.paragraph(_("Données au %(day)s", day=_day(self.data.as_of)), "eyebrow")

    def no_data(self) -> pdf.Flowable:
        return pdf.paragraph(_("Pas encore de données."), "muted")

    def table(self, rows: list[list[str]]) -> pdf.Flowable:
        return pdf.data_table(rows, self.width)

    def part(self, key: str, title: str) -> list:
        return [PageBreak(), pdf.heading(title, key, 0), self.as_of()]

    # The story --------------------------------------------------------------------------------

    def parts(self) -> list[tuple[str, str]]:
        parts = [
            ("composition", _("La cohorte et ses territoires")),
            ("calendar", _("Calendrier")),
            ("participation", _("Participation")),
            ("competences", _("Progression des compétences")),
            ("dynamics", _("Dynamiques territoriales")),
        ]
        if self.data.surveys is not None:
            parts.append(("surveys", _("Synthèses des questionnaires")))
            parts.append(("testimonies", _("Témoignages")))
        parts.append(("editorial", _("Faits marquants, points d'attention, recommandations")))
        parts.append(("territories", _("Les territoires, un par un")))
        parts.append(("methodology", _("Annexe méthodologique")))
        return parts

    def story(self) -> list:
        story = self.cover()
        writers = {
            "composition": self.composition,
            "calendar": self.calendar,
            "participation": self.participation,
            "competences": self.competences,
            "dynamics": self.dynamics,
            "surveys": self.surveys,
            "testimonies": self.testimonies,
            "editorial": self.editorial,
            "territories": self.territories,
            "methodology": self.methodology,
        }
        for key, title in self.parts():
            story += self.part(key, title)
            story += writers[key]()
        return story

    def cover(self) -> list:
        data = self.data
        story = [
            Spacer(0, 40),
            pdf.paragraph(data.programme, "eyebrow"),
            pdf.paragraph(pack_title(data.kind), "title"),
            pdf.paragraph(data.cohort, "subtitle"),
            Spacer(0, 8),
            pdf.facts_table(
                [
                    (
                        _("Parcours"),
                        pdf.paragraph(
                            _(
                                "du %(start)s au %(end)s",
                                start=_day(data.start_date),
                                end=_day(data.end_date),
                            )
                        ),
                    ),
                    (_("Données au"), pdf.paragraph(_day(data.as_of))),
                    (_("Généré le"), pdf.paragraph(format_datetime(data.generated_at, "short"))),
                    (
                        _("Version"),
                        pdf.paragraph(
                            _("pseudonymisée : territoires codés, aucun nom de personne")
                            if self.pseudo
                            else _("complète, réservée au Comité d'orientation")
                        ),
                    ),
                ],
                self.width,
            ),
            Spacer(0, 16),
            pdf.heading(_("Sommaire"), "contents", 0, outline=_("Sommaire")),
        ]
        for key, title in self.parts():
            story.append(pdf.contents_line(title, key))
            if key == "territories":
                for page in self.territory_pages():
                    territory = data.territory(page.territory_id)
                    story.append(pdf.contents_line(self.name(territory), _territory_key(page), 1))
        return story

    # Parts ------------------------------------------------------------------------------------

    def composition(self) -> list:
        composition = self.data.composition
        if not composition.territories:
            return [self.no_data()]
        asked = composition.asked
        counts = [
            [_("Territoires"), _("Nombre")],
            [_("Sollicités (au total)"), str(asked)],
            *(
                [str(STATUS_LABELS[status]), _ratio(composition.count(status), asked)]
                for status in TerritoryStatus
            ),
            [_("Objectif de la cohorte"), str(composition.target)],
            [_("Catalyseur·rices des territoires acceptés"), str(composition.participants)],
            [
                _("Binômes"),
                _ratio(composition.binomes, len(composition.accepted)),
            ],
        ]
        story = [
            pdf.paragraph(
                _(
                    "Le dénominateur des statuts est le nombre de territoires sollicités ; celui"
                    " des binômes, le nombre de territoires acceptés."
                ),
                "muted",
            ),
            self.table(counts),
            pdf.paragraph(_("Les territoires"), "heading"),
        ]
        if self.pseudo:
            header = [_("Territoire"), _("Profil"), _("Structure porteuse"), _("Statut")]
            header.append(_("Catalyseur·rices"))
            rows = [
                [
                    self.name(t),
                    str(TERRITORY_KINDS.get(t.kind, t.kind)),
                    str(CARRIER_TYPES.get(t.carrier_type, t.carrier_type)),
                    str(STATUS_LABELS[TerritoryStatus(t.status)]),
                    _binome(t),
                ]
                for t in sorted(composition.territories, key=lambda t: self.codes[t.id])
            ]
        else:
            header = [_("Territoire"), _("Profil"), _("Structure porteuse"), _("Statut")]
            header.append(_("Catalyseur·rices et accompagnement"))
            rows = [
                [
                    f"{t.name} ({t.department}, {t.region})"
                    if t.department or t.region
                    else t.name,
                    str(TERRITORY_KINDS.get(t.kind, t.kind)),
                    f"{t.carrier_structure} · {CARRIER_TYPES.get(t.carrier_type, t.carrier_type)}",
                    str(STATUS_LABELS[TerritoryStatus(t.status)])
                    + (f" — {t.status_reason}" if t.status_reason else ""),
                    _people(t),
                ]
                for t in composition.territories
            ]
        story.append(self.table([header, *rows]))
        return story

    def calendar(self) -> list:
        events = self.data.calendar
        if not events:
            return [self.no_data()]
        rows = [[_("Temps fort"), _("Type"), _("Dates"), _("État")]]
        for event in events:
            dates = (
                _day(event.starts_on)
                if event.starts_on == event.ends_on
                else f"{_day(event.starts_on)} – {_day(event.ends_on)}"
            )
            if event.cancelled:
                state = _("Annulé")
            elif event.past:
                state = _("Passé")
            else:
                state = _("À venir")
            label = f"{event.code} · {event.title}" if event.code else event.title
            rows.append([label, str(KIND_LABELS[EventKind(event.kind)]), dates, state])
        return [self.table(rows)]

    def participation(self) -> list:
        participation = self.data.participation
        story = [pdf.paragraph(_("Présence aux sessions collectives"), "heading")]
        if not participation.sessions_taken:
            story.append(self.no_data())
        else:
            story.append(
                pdf.paragraph(
                    _(
                        "En demi-journées×personnes : les présences (à l'heure ou en retard) sur"
                        " les demi-journées dont la présence a été relevée, pour les"
                        " catalyseur·rices attendu·es."
                    ),
                    "muted",
                )
            )
            rows = [[_("Session"), _("Date"), _("Demi-journées relevées"), _("Présences")]]
            for session in participation.sessions:
                rows.append(
                    [
                        f"{session.code} · {session.title}",
                        _day(session.starts_on),
                        str(session.half_days) if session.taken else _("non relevée"),
                        _ratio(session.attended, session.possible) if session.taken else NO_DATA,
                    ]
                )
            rows.append(
                [
                    _("Total"),
                    "",
                    str(sum(s.half_days for s in participation.sessions)),
                    _ratio(participation.attended, participation.possible),
                ]
            )
            story.append(self.table(rows))
            chart = charts.BarChart(
                title=_("Taux de présence par session"),
                bars=tuple(
                    charts.Bar(s.code, round(100 * s.attended / s.possible))
                    for s in participation.sessions
                    if s.possible
                ),
                scale_max=100,
                unit="%",
                label_heading=_("Session"),
                value_heading=_("Taux de présence"),
            )
            story.append(charts.flowable(charts.draw(chart, self.width)))
        story.append(pdf.paragraph(_("Par territoire"), "heading"))
        if not participation.territories:
            story.append(self.no_data())
            return story
        header = [
            _("Territoire"),
            _("Présences aux sessions"),
            _("Sessions représentées"),
            _("Bilatérales"),
            _("Suivis"),
            _("Visites"),
            _("Carnet de bord"),
        ]
        rows = [header]
        for activity in sorted(
            participation.territories, key=lambda a: self.name(self.data.territory(a.territory_id))
        ):
            rows.append(
                [
                    self.name(self.data.territory(activity.territory_id)),
                    _ratio(activity.attended, activity.possible),
                    _(
                        "%(part)d / %(whole)d",
                        part=activity.sessions_represented,
                        whole=activity.sessions_taken,
                    ),
                    str(activity.bilaterals),
                    str(activity.follow_ups),
                    str(activity.field_visits),
                    str(activity.journal_entries),
                ]
            )
        rows.append(
            [
                _("Total"),
                _ratio(participation.total("attended"), participation.total("possible")),
                "",
                str(participation.total("bilaterals")),
                str(participation.total("follow_ups")),
                str(participation.total("field_visits")),
                str(participation.total("journal_entries")),
            ]
        )
        story.append(
            pdf.paragraph(
                _(
                    "Bilatérales, suivis individuels et visites de terrain tenus : prévus à"
                    " l'agenda, non annulés et terminés à la date des données. Carnet de bord :"
                    " entrées écrites (le nombre seulement, jamais leur contenu)."
                ),
                "muted",
            )
        )
        story.append(self.table(rows))
        story.append(
            pdf.paragraph(
                _(
                    "Comptes rendus de suivi écrits : %(records)d ; comptes rendus de visite :"
                    " %(reports)d.",
                    records=participation.total("records"),
                    reports=participation.total("visit_reports"),
                ),
                "muted",
            )
        )
        return story

    def competences(self) -> list:
        competences = self.data.competences
        story = [
            pdf.paragraph(
                _(
                    "Auto-évaluations des catalyseur·rices : médiane et quartiles de la cohorte par"
                    " domaine, montrés à partir de %(min)d réponses.",
                    min=competences.threshold,
                ),
                "muted",
            )
        ]
        rows = [[_("Temps"), _("Réponses")]]
        for moment in competences.moments:
            rows.append([moment.name, _ratio(moment.answers, competences.participants)])
        story.append(self.table(rows))
        if not competences.answers:
            story.append(self.no_data())
            return story
        story.append(self.radar(_("Médianes de la cohorte par domaine"), self.cohort_series()))
        header = [_("Domaine"), *(m.name for m in competences.moments)]
        rows = [header]
        for domain in competences.domains:
            row = [f"{domain.code} · {domain.name}"]
            for moment in competences.moments:
                figure = competences.figure(moment.code, domain.code)
                if figure is None or figure.hidden:
                    row.append(_("trop peu de réponses (%(n)d)", n=figure.count if figure else 0))
                else:
                    row.append(
                        _(
                            "%(median)s (%(q1)s – %(q3)s), n = %(n)d",
                            median=_level(figure.median),
                            q1=_level(figure.q1),
                            q3=_level(figure.q3),
                            n=figure.count,
                        )
                    )
            rows.append(row)
        story.append(
            pdf.paragraph(_("Par domaine : médiane (quartiles), nombre de réponses"), "heading")
        )
        story.append(self.table(rows))
        story.append(pdf.paragraph(_("Progression"), "heading"))
        if competences.progress_first is None:
            story.append(
                pdf.paragraph(
                    _(
                        "La progression se lit dès que deux temps d'auto-évaluation ont des"
                        " médianes publiables."
                    ),
                    "muted",
                )
            )
            return story
        names = {d.code: f"{d.code} · {d.name}" for d in competences.domains}
        moments = {m.code: m.name for m in competences.moments}
        story.append(
            pdf.paragraph(
                _(
                    "Évolution de la médiane de %(first)s à %(last)s.",
                    first=moments.get(competences.progress_first, competences.progress_first),
                    last=moments.get(competences.progress_last, competences.progress_last),
                )
            )
        )
        rows = [[_("Domaine"), _("Évolution")]]
        rows += [[names[code], _signed(change)] for code, change in competences.changes]
        story.append(self.table(rows))
        for label, codes in (
            (_("Plus forte progression"), competences.largest),
            (_("Stagnation"), competences.stagnant),
        ):
            if codes:
                story.append(pdf.paragraph(f"{label} : {' ; '.join(names[c] for c in codes)}"))
        return story

    def cohort_series(self) -> dict[str, tuple[float | None, ...]]:
        competences = self.data.competences
        return {
            moment: tuple(competences.figure(moment, d.code).median for d in competences.domains)
            for moment in competences.charted
        }

    def radar(self, title: str, series: dict[str, tuple[float | None, ...]]) -> pdf.Flowable:
        competences = self.data.competences
        names = {m.code: m.name for m in competences.moments}
        chart = charts.RadarChart(
            title=title,
            axes=tuple(f"{d.code} · {d.name}" for d in competences.domains),
            series=tuple(
                charts.Series(names.get(m, m), tuple(v or 0 for v in values))
                for m, values in series.items()
            ),
            scale_max=len(competences.scale) - 1,
            scale_labels=competences.scale,
            axis_heading=_("Domaine"),
        )
        table = charts.data_table(chart)
        for row_index, _domain in enumerate(competences.domains, start=1):
            for column, values in enumerate(series.values(), start=1):
                if values[row_index - 1] is None and len(table) > row_index:
                    table[row_index][column] = NO_DATA
        drawing = charts.draw(chart, self.width * 0.8, show_title=False)
        parts = [pdf.paragraph(title, "heading"), charts.flowable(drawing)]
        if series:
            parts.append(self.table(table))
        return KeepTogether(parts)

    def dynamics(self) -> list:
        data = self.data
        frame = data.dynamics_frame
        recorded = [(tid, d) for tid, d in data.dynamics if d.recorded]
        total = len(data.dynamics)
        story = [
            pdf.paragraph(
                ngettext(
                    "Relevés de l'accompagnement avec chaque binôme. Dénominateur : les"
                    " territoires acceptés (%(total)d) ; %(num)d a au moins un relevé.",
                    "Relevés de l'accompagnement avec chaque binôme. Dénominateur : les"
                    " territoires acceptés (%(total)d) ; %(num)d ont au moins un relevé.",
                    len(recorded),
                    total=total,
                ),
                "muted",
            )
        ]
        if not recorded:
            story.append(self.no_data())
            return story
        rows = [[_("Maturité de la co-construction"), _("Au lancement"), _("Aujourd'hui")]]
        for value, label in enumerate(frame.maturity):
            rows.append(
                [
                    f"{value} · {label}",
                    str(sum(1 for _t, d in recorded if d.launch_maturity == value)),
                    str(sum(1 for _t, d in recorded if d.maturity == value)),
                ]
            )
        rows.append(
            [
                _("Territoires relevés"),
                str(sum(1 for _t, d in recorded if d.launch_maturity is not None)),
                str(len(recorded)),
            ]
        )
        story.append(pdf.paragraph(_("Maturité, du lancement à aujourd'hui"), "heading"))
        story.append(self.table(rows))
        for title, attribute, choices in (
            (_("Formes de co-construction pratiquées"), "forms", frame.forms),
            (_("Fragilités traitées"), "fragilities", frame.fragilities),
            (_("Types de partenariats"), "partnerships", frame.partnerships),
        ):
            counts = [
                (choice.label, sum(1 for _t, d in recorded if choice.code in getattr(d, attribute)))
                for choice in choices
            ]
            if attribute == "fragilities":
                counts = [item for item in counts if item[1]]
            chart = charts.BarChart(
                title=title,
                bars=tuple(charts.Bar(label, count) for label, count in counts),
                scale_max=max(len(recorded), 1),
                label_heading=title,
                value_heading=_("Territoires (sur %(n)d)", n=len(recorded)),
            )
            story.append(pdf.paragraph(title, "heading"))
            story.append(charts.flowable(charts.draw(chart, self.width, show_title=False)))
        return story

    def surveys(self) -> list:
        surveys = self.data.surveys or ()
        if not surveys:
            return [self.no_data()]
        story = []
        for survey in surveys:
            story.append(pdf.paragraph(survey.title, "heading"))
            story.append(
                pdf.paragraph(
                    _(
                        "Réponses : %(ratio)s. %(mode)s",
                        ratio=_ratio(survey.responses, survey.invited),
                        mode=_("Questionnaire anonyme.")
                        if survey.anonymous
                        else _("Questionnaire nominatif."),
                    ),
                    "muted",
                )
            )
            if survey.hidden or (self.pseudo and survey.responses < self.k):
                story.append(
                    pdf.paragraph(
                        _("Moins de %(k)d réponses : résultats masqués.", k=self.k), "muted"
                    )
                )
                continue
            for question in survey.questions:
                story += self.question(question)
        return story

    def question(self, question) -> list:
        closed = question.kind in (QuestionKind.SCALE, QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        title = question.text
        if closed:
            if question.hidden or (self.pseudo and question.answered < self.k):
                return [
                    pdf.paragraph(title, "label"),
                    pdf.paragraph(
                        _("Moins de %(k)d réponses : résultat masqué.", k=self.k), "muted"
                    ),
                ]
            chart = charts.BarChart(
                title=title,
                bars=tuple(charts.Bar(o.label, o.count) for o in question.options),
                label_heading=_("Réponse"),
                value_heading=_("Nombre"),
            )
            return [
                KeepTogether(
                    [
                        pdf.paragraph(title, "label"),
                        charts.flowable(charts.draw(chart, self.width * 0.9, show_title=False)),
                        self.table(
                            [
                                *charts.data_table(chart),
                                [
                                    _("Réponses (sans « je ne souhaite pas répondre »)"),
                                    str(question.answered),
                                ],
                            ]
                        ),
                    ]
                )
            ]
        if self.pseudo or not question.texts:
            return []
        return [
            pdf.paragraph(title, "label"),
            *(pdf.paragraph(f"« {text} »", "small") for text in question.texts),
        ]

    def testimonies(self) -> list:
        testimonies = self.data.testimonies
        if not testimonies:
            return [self.no_data()]
        story = []
        for testimony in testimonies:
            story.append(pdf.paragraph(f"« {testimony.text} »", "body"))
            signature = self.signature(testimony)
            if signature:
                story.append(pdf.paragraph(signature, "muted"))
        return story

    def signature(self, testimony) -> str:
        territory = (
            self.data.territory(testimony.territory_id)
            if testimony.territory_id is not None
            else None
        )
        if self.pseudo:
            # Not even the code: a testimony's words may name its place, and the code would
            # then unmask that territory's whole page.
            return ""
        where = self.name(territory) if territory else ""
        if testimony.consent != "named" or not testimony.author:
            return where
        return f"{testimony.author} — {where}" if where else testimony.author

    def editorial(self) -> list:
        editorial = self.data.editorial
        if self.pseudo:
            return [
                pdf.paragraph(
                    _(
                        "Texte libre de la coordination : il figure dans la version complète"
                        " seulement, car il peut nommer des personnes ou des territoires."
                    ),
                    "muted",
                )
            ]
        if editorial.empty:
            return [pdf.paragraph(_("La coordination n'a rien rédigé pour ce dossier."), "muted")]
        story = []
        for title, text in (
            (_("Faits marquants"), editorial.highlights),
            (_("Points d'attention"), editorial.concerns),
            (_("Recommandations"), editorial.recommendations),
        ):
            story.append(pdf.paragraph(title, "heading"))
            paragraphs = [line.strip() for line in text.split("\n\n") if line.strip()]
            story += [pdf.paragraph(p, "body") for p in paragraphs] or [self.no_data()]
        return story

    def territory_pages(self) -> list:
        """The territories' pages in reading order: by name, or by code when pseudonymised (an
        order by name would tell which code is which territory)."""
        pages = self.data.territory_pages
        if self.pseudo:
            return sorted(pages, key=lambda p: self.codes[p.territory_id])
        return list(pages)

    def territories(self) -> list:
        data = self.data
        if not data.territory_pages:
            return [self.no_data()]
        story = []
        for index, page in enumerate(self.territory_pages()):
            if index:
                story.append(PageBreak())
            story += self.territory_page(page)
        return story

    def territory_page(self, page) -> list:
        data = self.data
        territory = data.territory(page.territory_id)
        story = [pdf.heading(self.name(territory), _territory_key(page), 1), self.as_of()]
        facts = [
            (_("Profil"), str(TERRITORY_KINDS.get(territory.kind, territory.kind))),
            (
                _("Structure porteuse"),
                str(CARRIER_TYPES.get(territory.carrier_type, territory.carrier_type))
                if self.pseudo
                else f"{territory.carrier_structure} · "
                f"{CARRIER_TYPES.get(territory.carrier_type, territory.carrier_type)}",
            ),
            (_("Catalyseur·rices"), _binome(territory) if self.pseudo else _people(territory)),
        ]
        if not self.pseudo and (territory.region or territory.department):
            facts.insert(
                0, (_("Lieu"), ", ".join(v for v in (territory.department, territory.region) if v))
            )
        story.append(pdf.facts_table([(k, pdf.paragraph(v)) for k, v in facts], self.width))
        activity = data.activity(page.territory_id)
        story.append(pdf.paragraph(_("Participation"), "heading"))
        if activity is None:
            story.append(self.no_data())
        else:
            story.append(
                self.table(
                    [
                        [_("Indicateur"), _("Valeur")],
                        [
                            _("Présences aux sessions (demi-journées×personnes)"),
                            _ratio(activity.attended, activity.possible),
                        ],
                        [
                            _("Sessions représentées"),
                            _(
                                "%(part)d / %(whole)d",
                                part=activity.sessions_represented,
                                whole=activity.sessions_taken,
                            ),
                        ],
                        [_("Bilatérales tenues"), str(activity.bilaterals)],
                        [_("Suivis individuels tenus"), str(activity.follow_ups)],
                        [_("Visites de terrain tenues"), str(activity.field_visits)],
                        [_("Entrées du carnet de bord"), str(activity.journal_entries)],
                    ]
                )
            )
        story += self.territory_levels(page)
        story += self.territory_dynamics(page.territory_id)
        # Pseudonymised, testimonies stay in their own part, tied to no territory (see signature).
        testimonies = () if self.pseudo else data.testimonies_of(page.territory_id)
        if testimonies:
            story.append(pdf.paragraph(_("Témoignage"), "heading"))
            for testimony in testimonies:
                story.append(pdf.paragraph(f"« {testimony.text} »", "body"))
                if testimony.consent == "named" and testimony.author:
                    story.append(pdf.paragraph(testimony.author, "muted"))
        return story

    def territory_levels(self, page) -> list:
        levels = page.levels
        title = _("Niveau par domaine")
        territory = self.data.territory(page.territory_id)
        if levels is None and not territory.is_binome and territory.catalyseurs:
            return [
                pdf.paragraph(title, "heading"),
                pdf.paragraph(
                    _(
                        "Non publié : les niveaux d'un·e catalyseur·rice seul·e sont sa propre "
                        "réponse, que le comité ne lit pas."
                    ),
                    "muted",
                ),
            ]
        if levels is None or not levels.levels:
            return [pdf.paragraph(title, "heading"), self.no_data()]
        if self.pseudo and levels.people < self.k:
            return [
                pdf.paragraph(title, "heading"),
                pdf.paragraph(
                    _(
                        "Masqué dans la version pseudonymisée : moins de %(k)d personnes.",
                        k=self.k,
                    ),
                    "muted",
                ),
            ]
        source = _("Consensus du binôme") if levels.source == "consensus" else _("Auto-évaluation")
        return [self.radar(f"{title} — {source}", dict(levels.levels))]

    def territory_dynamics(self, territory_id: int) -> list:
        dynamics = self.data.dynamics_of(territory_id)
        frame = self.data.dynamics_frame
        story = [pdf.paragraph(_("Dynamique territoriale"), "heading")]
        if dynamics is None or not dynamics.recorded:
            return [*story, self.no_data()]

        def maturity(value):
            if value is None:
                return NO_DATA
            return (
                f"{value} · {frame.maturity[value]}" if value < len(frame.maturity) else str(value)
            )

        def named(codes, choices):
            labels = {c.code: c.label for c in choices}
            return " ; ".join(labels.get(code, code) for code in codes) or NO_DATA

        rows = [
            [_("Indicateur"), _("Relevé")],
            [_("Maturité au lancement"), maturity(dynamics.launch_maturity)],
            [_("Maturité aujourd'hui"), maturity(dynamics.maturity)],
            [_("Formes pratiquées"), named(dynamics.forms, frame.forms)],
            [_("Fragilités traitées"), named(dynamics.fragilities, frame.fragilities)],
            [_("Types de partenariats"), named(dynamics.partnerships, frame.partnerships)],
        ]
        return [*story, self.table(rows)]

    def methodology(self) -> list:
        data = self.data
        competences = data.competences
        frame = data.dynamics_frame
        entries = [
            (
                _("Sources"),
                _(
                    "La composition de la cohorte ; l'agenda (sessions, bilatérales, suivis,"
                    " visites) et les présences relevées ; les comptes rendus et le carnet de bord"
                    " du suivi ; les auto-évaluations ; les relevés de dynamique territoriale ;"
                    " les questionnaires. Toutes les données sont celles du %(day)s.",
                    day=_day(data.as_of),
                ),
            ),
            (
                _("Échelle des compétences"),
                " ; ".join(f"{v} · {label}" for v, label in enumerate(competences.scale)),
            ),
            (
                _("Niveau d'un domaine"),
                _(
                    "La moyenne des niveaux donnés à ses compétences (« je ne sais pas » n'y"
                    " entre pas). La cohorte est résumée par la médiane et les quartiles des"
                    " catalyseur·rices, à partir de %(min)d réponses.",
                    min=competences.threshold,
                ),
            ),
            (
                _("Échelle de maturité"),
                " ; ".join(f"{v} · {label}" for v, label in enumerate(frame.maturity)),
            ),
            (
                _("Règle k ≥ %(k)d", k=data.min_anonymous),
                _(
                    "Un chiffre tiré de moins de %(k)d personnes n'est pas publié quand il"
                    " pourrait les identifier : résultats des questionnaires anonymes, et dans la"
                    " version pseudonymisée, toute question, tout radar de territoire.",
                    k=data.min_anonymous,
                ),
            ),
            (
                _("Présence"),
                _(
                    "Comptée par demi-journée et par personne, sur les demi-journées dont la"
                    " présence a été relevée ; « en retard » compte comme présent."
                ),
            ),
            (
                _("Rendez-vous tenus"),
                _(
                    "Une bilatérale, un suivi ou une visite prévus à l'agenda, non annulés et"
                    " terminés à la date des données."
                ),
            ),
            (
                _("Version pseudonymisée"),
                _(
                    "Territoires désignés par leur code (T01…, stable pour la cohorte), aucun nom"
                    " de personne, aucun texte libre qui pourrait en nommer une ; témoignages"
                    " seulement s'ils sont consentis, sans signature."
                ),
            ),
        ]
        return [pdf.facts_table([(k, pdf.paragraph(v)) for k, v in entries], self.width)]


def _territory_key(page) -> str:
    return f"territory-{page.territory_id}"


def _people(territory: TerritoryInfo) -> str:
    names = ", ".join(territory.catalyseurs) or NO_DATA
    if territory.coach:
        return _("%(names)s · accompagnement : %(coach)s", names=names, coach=territory.coach)
    return names


def _binome(territory: TerritoryInfo) -> str:
    if territory.is_binome:
        return _("binôme")
    count = len(territory.catalyseurs)
    return ngettext("%(num)d catalyseur·rice", "%(num)d catalyseur·rices", count)


def _signed(change: float | None) -> str:
    if change is None:
        return NO_DATA
    text = charts.format_value(round(abs(change), 2))
    if change > 0:
        return f"+{text}"
    if change < 0:
        return f"−{text}"
    return text


__all__ = ["Rendered", "pack_title", "render"]
