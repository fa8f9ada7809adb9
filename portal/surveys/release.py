"""Survey report releases: readers see the report as last released, never live (privacy rule 4).

A survey's report is released in steps: a new release is stored only once at least
PRIVACY_MIN_ORGS organisations have answered or changed their answers since the last one, so the
difference between two releases never isolates fewer organisations than that. Closing a survey
does not force a release; the final report then says how many organisations it leaves out.

`release_if_due` runs inside the transaction that saves a response (or closes the survey) and
never commits; the caller does.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal import privacy
from portal.database import utcnow
from portal.extensions import db
from portal.models import Survey, SurveyRelease, SurveyStatus
from portal.surveys.report import build_report, organisations_answering

TIME_FORMAT = "%Y-%m-%d %H:%M UTC"


def lock(survey: Survey) -> None:
    """Serialise answers and releases of one survey until the transaction ends.

    Without it two answers saved at once could each release a snapshot that misses the other's
    answer, and the two snapshots would differ by two organisations only. PostgreSQL locks the
    survey's row; SQLite ignores FOR UPDATE but lets only one writer in at a time anyway.
    """
    db.session.execute(select(Survey.id).where(Survey.id == survey.id).with_for_update())


def _release(survey: Survey) -> SurveyRelease | None:
    return db.session.get(SurveyRelease, survey.id, populate_existing=True)


def _pending(survey: Survey, release: SurveyRelease | None) -> int:
    return organisations_answering(survey, None if release is None else release.released_at)


def pending_organisations(survey: Survey) -> int:
    """Organisations whose response was created or changed since the last release (all if none)."""
    return _pending(survey, _release(survey))


def release_if_due(survey: Survey) -> bool:
    """Store the report as the survey's release when enough organisations wait; True if it did.

    Does not commit: it belongs to the caller's transaction (saving a response, closing).
    """
    lock(survey)
    release = _release(survey)
    if _pending(survey, release) < privacy.threshold():
        return False
    now = utcnow()
    snapshot = build_report(survey, with_quotes=True)
    snapshot["released_at"] = now.strftime(TIME_FORMAT)
    if release is None:
        release = SurveyRelease(survey_id=survey.id)
        db.session.add(release)
    release.snapshot = snapshot
    release.released_at = now
    release.organisations = snapshot["organisations"]
    db.session.flush()
    return True


def release_due_surveys() -> int:
    """Release every open or closed survey that has enough pending organisations; how many did.

    For data written without `submit_response` (demo seeding); does not commit.
    """
    surveys = db.session.scalars(
        select(Survey)
        .where(Survey.status.in_([SurveyStatus.OPEN, SurveyStatus.CLOSED]))
        .order_by(Survey.id)
    )
    return sum(release_if_due(survey) for survey in surveys)


def released_report(survey: Survey) -> dict[str, Any] | None:
    """The survey's report as last released (with quotes), or None before the first release."""
    release = _release(survey)
    return None if release is None else release.snapshot


def without_quotes(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A copy of a released report with no quote texts or names (for public briefs)."""
    questions = [
        {key: value for key, value in question.items() if key != "quotes"}
        for question in snapshot["questions"]
    ]
    return {**snapshot, "questions": questions}


@dataclass(frozen=True)
class ReleaseState:
    """What a reader of the report gets: the released report, and what waits since."""

    report: dict[str, Any] | None
    released_at: datetime | None
    pending: int
    responding: int
    min_orgs: int
    closed: bool

    @property
    def remaining(self) -> int:
        """How many more organisations must answer or change answers for the next release."""
        return max(self.min_orgs - self.pending, 0)

    @property
    def note(self) -> str:
        """One sentence on how current the shown results are."""
        n = self.min_orgs
        if self.report is None or self.released_at is None:
            if self.closed:
                return (
                    f"No results: fewer than {n} organisations answered this survey "
                    f"({self.responding}), too few to release."
                )
            return (
                f"No results yet: the report is released once {n} organisations have answered "
                f"({self.responding} so far)."
            )
        when = self.released_at.strftime(TIME_FORMAT)
        if not self.pending:
            return f"Results as of {when}."
        since = _organisations(self.pending)
        if self.closed:
            return (
                f"Final results as of {when}: they leave out the answers of {since} that "
                f"answered or changed their answers after that release (fewer than {n}, too few "
                "to release on their own)."
            )
        verb = "has" if self.pending == 1 else "have"
        return (
            f"Results as of {when}; {since} {verb} answered or changed their answers since — "
            f"the report updates after {self.remaining} more (every {n} organisations)."
        )


def _organisations(count: int) -> str:
    return f"{count} organisation{'' if count == 1 else 's'}"


def release_state(survey: Survey) -> ReleaseState:
    """The released report of a survey and how far the live answers have moved since."""
    release = _release(survey)
    return ReleaseState(
        report=None if release is None else release.snapshot,
        released_at=None if release is None else release.released_at,
        pending=_pending(survey, release),
        responding=organisations_answering(survey),
        min_orgs=privacy.threshold(),
        closed=survey.status == SurveyStatus.CLOSED,
    )
