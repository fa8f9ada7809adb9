"""The survey report: SQL aggregates, every segment breakdown passed through the privacy rules.

`build_report` returns plain data (dicts, lists, numbers) so the page, the PDF, the CSV and the
frozen public brief all show the same thing.
"""

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import distinct, func, or_, select

from portal import privacy
from portal.database import utcnow
from portal.documents.files import period
from portal.extensions import db
from portal.models import (
    Answer,
    Organisation,
    OrgKind,
    Question,
    QuestionKind,
    QuoteConsent,
    Response,
    Survey,
)
from portal.models.accounts import LabelledEnum
from portal.privacy.rules import Number

SEGMENTS = privacy.SEGMENTS


def percent(part: Number | None, whole: Number | None) -> int | None:
    """A whole-number percentage (printed as `42%`) of two counts."""
    if part is None or not whole:
        return None
    return round(100 * float(part) / float(whole))


def shown_dict(shown: privacy.Shown, **extra) -> dict[str, Any]:
    return {
        "key": shown.key,
        "label": shown.label,
        "value": shown.value,
        "orgs": shown.orgs,
        "suppressed": shown.suppressed,
        "note": shown.note,
        **extra,
    }


def _segment_members(dimension: str):
    """Partner organisations per segment value (for response rates)."""
    column = SEGMENTS[dimension][2]
    rows = db.session.execute(
        select(column, func.count(Organisation.id))
        .where(Organisation.kind == OrgKind.PARTNER, column.is_not(None))
        .group_by(column)
    )
    return dict(rows.all())


def response_rates(survey: Survey, dimension: str) -> dict[str, Any]:
    """Responding organisations / partner organisations, per segment value."""
    label, enum_class, column = SEGMENTS[dimension]
    responding = dict(
        db.session.execute(
            select(column, func.count(distinct(Response.organisation_id)))
            .join(Organisation, Organisation.id == Response.organisation_id)
            .where(Response.survey_id == survey.id)
            .group_by(column)
        ).all()
    )
    members = _segment_members(dimension)
    cells = [
        privacy.Cell(
            member.value, responding.get(member, 0), responding.get(member, 0), member.label
        )
        for member in enum_class
    ]
    shown, total = privacy.protect_breakdown(cells)
    return {
        "label": label,
        "cells": [
            shown_dict(
                s,
                members=members.get(member, 0),
                rate=None if s.suppressed else percent(s.value, members.get(member, 0)),
            )
            for s, member in zip(shown, enum_class, strict=True)
        ],
        "total": shown_dict(
            total,
            members=sum(members.values()),
            rate=None if total.suppressed else percent(total.value, sum(members.values())),
        ),
    }


def _respondents(question: Question) -> tuple[int, int]:
    """(responses, organisations) that answered a question."""
    row = db.session.execute(
        select(
            func.count(distinct(Answer.response_id)), func.count(distinct(Response.organisation_id))
        )
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question.id)
    ).one()
    return row[0], row[1]


def _choice_counts(question: Question) -> list[dict[str, Any]]:
    answered, _ = _respondents(question)
    counts = dict(
        db.session.execute(
            select(Answer.choice_id, func.count(distinct(Answer.response_id)))
            .where(Answer.question_id == question.id, Answer.choice_id.is_not(None))
            .group_by(Answer.choice_id)
        ).all()
    )
    return [
        {
            "label": choice.label,
            "count": counts.get(choice.id, 0),
            "percent": percent(counts.get(choice.id, 0), answered),
        }
        for choice in question.choices
    ]


def _segment_groups(question: Question, dimension: str, *conditions) -> list[privacy.Shown]:
    """The question's respondents per segment value, protected as one breakdown.

    A segment group is shown only when its respondents come from enough organisations; the
    overall answers are the breakdown's total, so the next smallest groups are hidden as well
    where one hidden group could otherwise be computed by subtraction.
    """
    _, enum_class, column = SEGMENTS[dimension]
    counts = {
        segment: (responses, orgs)
        for segment, responses, orgs in db.session.execute(
            select(
                column,
                func.count(distinct(Answer.response_id)),
                func.count(distinct(Response.organisation_id)),
            )
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(Organisation, Organisation.id == Response.organisation_id)
            .where(Answer.question_id == question.id, *conditions)
            .group_by(column)
        )
    }
    cells = [
        privacy.Cell(m.value, counts.get(m, (0, 0))[1], counts.get(m, (0, 0))[0], m.label)
        for m in enum_class
    ]
    shown, _ = privacy.protect_breakdown(cells)
    return shown


def _segment_table(question: Question, dimension: str) -> dict[str, Any]:
    """Answers × segment groups: counts and shares inside each group large enough to show."""
    label, enum_class, column = SEGMENTS[dimension]
    groups = _segment_groups(question, dimension)
    per_cell: dict[tuple[LabelledEnum | None, int | None], int] = dict(
        ((segment, choice), responses)
        for segment, choice, responses in db.session.execute(
            select(column, Answer.choice_id, func.count(distinct(Answer.response_id)))
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(Organisation, Organisation.id == Response.organisation_id)
            .where(Answer.question_id == question.id)
            .group_by(column, Answer.choice_id)
        )
    )
    rows = []
    for choice in question.choices:
        cells = []
        for member, group in zip(enum_class, groups, strict=True):
            if group.suppressed:
                cells.append(shown_dict(group, percent=None))
                continue
            count = per_cell.get((member, choice.id), 0)
            cells.append(
                {"value": count, "suppressed": False, "percent": percent(count, group.value)}
            )
        rows.append({"label": choice.label, "cells": cells})
    return {"label": label, "columns": [shown_dict(g) for g in groups], "rows": rows}


def _scale(question: Question) -> dict[str, Any]:
    answered, _ = _respondents(question)
    counts = dict(
        db.session.execute(
            select(Answer.scale_value, func.count(Answer.id))
            .where(Answer.question_id == question.id, Answer.scale_value.is_not(None))
            .group_by(Answer.scale_value)
        ).all()
    )
    mean = db.session.scalar(
        select(func.avg(Answer.scale_value)).where(Answer.question_id == question.id)
    )
    return {
        "distribution": [
            {
                "label": str(v),
                "count": counts.get(v, 0),
                "percent": percent(counts.get(v, 0), answered),
            }
            for v in range(1, 6)
        ],
        "mean": round(float(mean), 1) if mean is not None else None,
    }


def _scale_by_segment(question: Question, dimension: str) -> dict[str, Any]:
    """Average score per segment group, for groups large enough to show."""
    label, enum_class, column = SEGMENTS[dimension]
    groups = _segment_groups(question, dimension, Answer.scale_value.is_not(None))
    means: dict[LabelledEnum | None, Number | None] = dict(
        db.session.execute(
            select(column, func.avg(Answer.scale_value))
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(Organisation, Organisation.id == Response.organisation_id)
            .where(Answer.question_id == question.id, Answer.scale_value.is_not(None))
            .group_by(column)
        ).all()
    )
    cells = []
    for member, group in zip(enum_class, groups, strict=True):
        if group.suppressed:
            cells.append(shown_dict(group))
        else:
            mean = means.get(member)
            value = round(float(mean), 1) if mean is not None else None
            cells.append(shown_dict(group, value=value))
    return {"label": label, "cells": cells}


def quotes(question: Question) -> list[dict[str, Any]]:
    """Free-text answers the editor may print, attributed exactly as consented."""
    rows = db.session.execute(
        select(Answer.text, Answer.quotable, Organisation.name)
        .join(Response, Response.id == Answer.response_id)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .where(
            Answer.question_id == question.id,
            Answer.text.is_not(None),
            Answer.quotable != QuoteConsent.NO,
        )
        .order_by(Answer.id)
    )
    found = []
    for text, consent, org_name in rows:
        attribution = privacy.quote_attribution(org_name, consent)
        if attribution.printable:
            found.append({"text": text, "attribution": attribution.name, "consent": consent.value})
    return found


def _question(question: Question, with_quotes: bool) -> dict[str, Any]:
    """One question's results, or only its prompt and a note when too few organisations answered.

    A question is a cell (privacy rule 2): its counts, shares, mean, segment tables and quotes
    are shown only when its respondents come from at least PRIVACY_MIN_ORGS organisations.
    """
    answered, orgs = _respondents(question)
    gate = privacy.protect_value(orgs, answered, str(question.id), question.prompt)
    data: dict[str, Any] = {
        "id": question.id,
        "position": question.position,
        "prompt": question.prompt,
        "kind": question.kind.value,
        "kind_label": question.kind.label,
        "answered": gate.value,
        "organisations": gate.orgs,
        "suppressed": gate.suppressed,
        "note": f"{gate.note} answered" if gate.suppressed else "",
    }
    if gate.suppressed:
        return data
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        data["choices"] = _choice_counts(question)
        data["segments"] = [_segment_table(question, d) for d in SEGMENTS]
    elif question.kind == QuestionKind.SCALE:
        data["scale"] = _scale(question)
        data["segments"] = [_scale_by_segment(question, d) for d in SEGMENTS]
    else:
        data["quotable_count"] = len(quotes(question))
        if with_quotes:
            data["quotes"] = quotes(question)
    return data


def organisations_answering(survey: Survey, since: datetime | None = None) -> int:
    """Organisations with a response (created or changed after `since`, when given)."""
    query = select(func.count(distinct(Response.organisation_id))).where(
        Response.survey_id == survey.id
    )
    if since is not None:
        query = query.where(or_(Response.created_at > since, Response.updated_at > since))
    return db.session.execute(query).scalar_one()


def build_report(survey: Survey, with_quotes: bool = True) -> dict[str, Any]:
    """Everything the report shows, as plain data; briefs are built with_quotes=False."""
    responses = db.session.scalar(
        select(func.count(Response.id)).where(Response.survey_id == survey.id)
    )
    organisations = organisations_answering(survey)
    related = privacy.revenue_at_stake_for([r.id for r in survey.requirements])
    return {
        "survey": {
            "id": survey.id,
            "title": survey.title,
            "product": survey.product.name if survey.product else None,
            "status": survey.status.value,
            "opens_at": survey.opens_at.date().isoformat() if survey.opens_at else None,
            "closes_at": survey.closes_at.date().isoformat() if survey.closes_at else None,
        },
        "generated_at": utcnow().strftime("%Y-%m-%d %H:%M UTC"),
        "min_orgs": privacy.threshold(),
        "responses": responses,
        "organisations": organisations,
        "response_rates": [response_rates(survey, d) for d in SEGMENTS],
        "questions": [_question(q, with_quotes) for q in survey.questions],
        "requirements": [
            {
                "id": r.id,
                "title": r.title,
                "status": r.status.label,
                "votes": r.vote_count,
                "organisations": r.org_count,
                "showstopper_organisations": r.showstopper_org_count,
                "score": r.score,
                "revenue": shown_dict(related[r.id]),
            }
            for r in survey.requirements
        ],
    }


def csv_rows(report: dict[str, Any], notes: Sequence[str] = ()) -> Iterator[list]:
    """The report as flat rows for CSV, in CSV_HEADER's columns: notes first, then the
    responses, response rates, each question's answers (with the average of a scale), segment
    breakdowns and quotes, and the related requirements. A suppressed figure leaves its number
    cells empty and says why in `note`."""
    for text in notes:
        yield _row("Note", note=text)
    yield _row("Responses", count=report["responses"], organisations=report["organisations"])
    for rate in report["response_rates"]:
        for cell in [*rate["cells"], rate["total"]]:
            yield _csv_cell(
                "Response rate", "", rate["label"], cell["label"], "", cell, cell.get("rate")
            )
    for q in report["questions"]:
        yield from _question_rows(q)
    yield from _requirement_rows(report)


def _question_rows(q: dict[str, Any]) -> Iterator[list]:
    prompt = f"Q{q['position']}. {q['prompt']}"
    if q.get("suppressed"):
        yield _row("Answers", prompt, "All", note=f"suppressed: {q['note']}")
        return
    for choice in q.get("choices", []) + q.get("scale", {}).get("distribution", []):
        yield _row(
            "Answers",
            prompt,
            "All",
            answer=choice["label"],
            count=choice["count"],
            percent=_pct(choice["percent"]),
        )
    if "scale" in q:
        yield _row(
            "Average",
            prompt,
            "All",
            count=q["answered"],
            organisations=q["organisations"],
            average=q["scale"]["mean"],
            note="mean on the scale from 1 to 5",
        )
    for segment in q.get("segments", []):
        if "rows" in segment:
            for row in segment["rows"]:
                for column, cell in zip(segment["columns"], row["cells"], strict=True):
                    yield _csv_cell(
                        "By segment",
                        prompt,
                        segment["label"],
                        column["label"],
                        row["label"],
                        cell,
                        cell.get("percent"),
                    )
        else:
            for cell in segment["cells"]:
                if cell["suppressed"]:
                    yield _row(
                        "Average by segment",
                        prompt,
                        segment["label"],
                        cell["label"],
                        note=f"suppressed: {cell['note']}",
                    )
                else:
                    yield _row(
                        "Average by segment",
                        prompt,
                        segment["label"],
                        cell["label"],
                        organisations=cell["orgs"],
                        average=cell["value"],
                    )
    for quote in q.get("quotes", []):
        yield _row("Quote", prompt, group=quote["attribution"] or "anonymous", answer=quote["text"])


def _requirement_rows(report: dict[str, Any]) -> Iterator[list]:
    """Each related requirement's figures, one per row (answer names the figure)."""
    for r in report["requirements"]:
        revenue = r["revenue"]
        figures = [
            ("Votes", r["votes"], ""),
            ("Organisations", r["organisations"], ""),
            ("Showstopper organisations", r["showstopper_organisations"], ""),
            ("Score", r["score"], ""),
            (
                "Revenue at stake per year",
                None if revenue["suppressed"] else revenue["value"],
                f"suppressed: {revenue['note']}" if revenue["suppressed"] else "",
            ),
        ]
        for label, value, note in figures:
            yield _row(
                "Related requirement",
                f"#{r['id']} {r['title']}",
                group=r["status"],
                answer=label,
                count=value,
                note=note,
            )


def _pct(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def _row(section, question="", segment="", group="", answer="", **figures) -> list:
    """One CSV row; figures by column name (count, percent, organisations, average, note)."""
    numbers = [figures.get(name) for name in CSV_HEADER[5:]]
    return [section, question, segment, group, answer, *("" if v is None else v for v in numbers)]


def _csv_cell(section, prompt, segment, column, row, cell, pct):
    if cell["suppressed"]:
        return _row(section, prompt, segment, column, row, note=f"suppressed: {cell['note']}")
    return _row(
        section,
        prompt,
        segment,
        column,
        row,
        count=cell["value"],
        percent=_pct(pct),
        organisations=cell.get("orgs"),
    )


CSV_HEADER = [
    "section",
    "question",
    "segment",
    "group",
    "answer",
    "count",
    "percent",
    "organisations",
    "average",
    "note",
]


def period_sentence(survey: dict[str, Any]) -> str:
    """The survey's product and dates as a line: "Product: BPOS · Until 31 Dec 2026"."""
    opens, closes = (
        date.fromisoformat(survey[k]) if survey.get(k) else None for k in ("opens_at", "closes_at")
    )
    dates = period(opens, closes)
    parts = [f"Product: {survey['product']}" if survey.get("product") else "All products"]
    return " · ".join([*parts, dates[:1].upper() + dates[1:]] if dates else parts)
