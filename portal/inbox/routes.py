"""Pages under /inbox: the editor imports e-mails and triages them; partners see what was
recorded for their organisation (on /org) and change or withdraw it here."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import can_take_part, can_triage_inbox, require
from portal.board import services as board
from portal.inbox import services
from portal.inbox.forms import (
    AssignForm,
    CommentOnBehalfForm,
    ConsentForm,
    ImportForm,
    RequirementOnBehalfForm,
    VoteOnBehalfForm,
)
from portal.models import Importance, InboxItem, InboxStatus, QuoteConsent, RecordKind, VoteConsent
from portal.org.services import partner_organisations
from portal.web.forms import REFUSED, ActionForm, attempt, form_status

bp = Blueprint("inbox", __name__)

STATUS_ACTIONS = {
    "archive": (InboxStatus.ARCHIVED, "Archived."),
    "spam": (InboxStatus.SPAM, "Marked as spam."),
    "restore": (InboxStatus.NEW, "Back among the new e-mails."),
}


@bp.route("/")
@require(can_triage_inbox)
def index():
    """The inbox: new e-mails first; the other states one click away."""
    status = InboxStatus.NEW
    if request.args.get("status") in InboxStatus._value2member_map_:
        status = InboxStatus(request.args["status"])
    return render_template(
        "inbox/index.html",
        status=status,
        items=services.items(status),
        counts=services.counts(),
    )


@bp.route("/import", methods=["GET", "POST"])
@require(can_triage_inbox)
def import_mail():
    """Upload an .eml or .mbox file: every message is imported, or none."""
    form = ImportForm()
    if form.validate_on_submit():
        result = attempt(form, services.import_mail, current_user, form.file.data.read())
        if result is not REFUSED:
            flash(
                f"Imported {result.imported} e-mail(s); {result.duplicates} already in the inbox.",
                "success",
            )
            return redirect(url_for("inbox.index"))
    return render_template("inbox/import.html", form=form), form_status(form)


def _item(item_id: int) -> InboxItem:
    item = services.get_item(item_id)
    if item is None:
        abort(404)
    return item


def _forms(item: InboxItem) -> dict:
    """The triage forms of an item, with their choices (posted values are kept on a refusal)."""
    suggested = services.suggestions(item)
    titles = [(r.id, f"#{r.id} {r.title}") for r in suggested]
    shown = {r.id for r in suggested}
    titles += [
        (id_, f"#{id_} {title}") for id_, title in board.requirement_titles() if id_ not in shown
    ]
    choices = [("", "Choose a requirement…"), *titles]
    vote_form = VoteOnBehalfForm(prefix="vote")
    comment_form = CommentOnBehalfForm(prefix="comment")
    requirement_form = RequirementOnBehalfForm(prefix="new")
    assign_form = AssignForm(prefix="assign")
    vote_form.requirement.choices = choices
    comment_form.requirement.choices = choices
    products, topics = board.catalogue()
    requirement_form.product.choices = [("", "Choose a product…")] + [
        (p.id, p.name) for p in products if p.active
    ]
    requirement_form.topics.choices = [(t.id, t.name) for t in topics]
    assign_form.organisation.choices = [("", "Unmatched"), *partner_organisations()]
    if request.method == "GET":
        requirement_form.title.data = requirement_form.title.data or item.subject[:160]
        requirement_form.body.data = item.body[:20_000]
        comment_form.body.data = item.body[:10_000]
        assign_form.organisation.data = item.organisation_id
        if suggested:
            vote_form.requirement.data = suggested[0].id
            comment_form.requirement.data = suggested[0].id
    return {
        "suggested": suggested,
        "vote_form": vote_form,
        "comment_form": comment_form,
        "requirement_form": requirement_form,
        "assign_form": assign_form,
        "action_form": ActionForm(),
    }


def _show(item: InboxItem, forms: dict, status: int = 200):
    return render_template(
        "inbox/item.html",
        item=item,
        thread=services.thread(item),
        records=services.records_of_item(item),
        **forms,
    ), status


@bp.route("/<int:item_id>")
@require(can_triage_inbox)
def item(item_id: int):
    """One e-mail beside similar requirements and the ways to record it."""
    found = _item(item_id)
    return _show(found, _forms(found))


def _submit(item_id: int, form_name: str, service, values, done):
    """Validate one of the item's forms and call the service with the form's `values`; on a
    refusal the item's page is shown again with the message beside the form."""
    found = _item(item_id)
    forms = _forms(found)
    form = forms[form_name]
    if form.validate_on_submit():
        outcome = attempt(form, service, current_user, found, *values(form))
        if outcome is not REFUSED:
            return done(found, outcome)
    return _show(found, forms, 400)


def _recorded(item: InboxItem, record):
    flash("Recorded on behalf of the organisation.", "success")
    return redirect(url_for("board.detail", requirement_id=record.requirement_id))


@bp.post("/<int:item_id>/vote")
@require(can_triage_inbox)
def vote(item_id: int):
    """Record a vote on an existing requirement for the sender's organisation."""
    return _submit(
        item_id,
        "vote_form",
        services.record_vote,
        lambda form: (
            form.requirement.data,
            Importance.from_key(form.importance.data),
            VoteConsent(form.consent.data),
        ),
        _recorded,
    )


@bp.post("/<int:item_id>/requirement")
@require(can_triage_inbox)
def requirement(item_id: int):
    """Post a new requirement, with its vote, for the sender's organisation."""
    return _submit(
        item_id,
        "requirement_form",
        services.record_requirement,
        lambda form: (
            form.title.data,
            form.body.data,
            form.product.data,
            form.topics.data or [],
            Importance.from_key(form.importance.data),
            VoteConsent(form.consent.data),
        ),
        _recorded,
    )


@bp.post("/<int:item_id>/comment")
@require(can_triage_inbox)
def comment(item_id: int):
    """Record a comment for the sender's organisation."""
    return _submit(
        item_id,
        "comment_form",
        services.record_comment,
        lambda form: (form.requirement.data, form.body.data, QuoteConsent(form.quotable.data)),
        _recorded,
    )


def _filed(item: InboxItem, _):
    flash("Filed.", "success")
    return redirect(url_for("inbox.item", item_id=item.id))


@bp.post("/<int:item_id>/organisation")
@require(can_triage_inbox)
def assign(item_id: int):
    """File the item under a partner organisation by hand (or back to unmatched)."""
    return _submit(
        item_id,
        "assign_form",
        services.assign_organisation,
        lambda form: (form.organisation.data,),
        _filed,
    )


@bp.post("/<int:item_id>/<any(archive, spam, restore):action>")
@require(can_triage_inbox)
def set_status(item_id: int, action: str):
    found = _item(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    status, message = STATUS_ACTIONS[action]
    if attempt(None, services.set_status, current_user, found, status) is not REFUSED:
        flash(message, "success")
    return redirect(url_for("inbox.index"))


@bp.post("/<int:item_id>/reply")
@require(can_triage_inbox)
def reply(item_id: int):
    found = _item(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    invited = attempt(None, services.send_reply, current_user, found)
    if invited is not REFUSED:
        flash(
            "Reply queued, with an invitation." if invited else "Reply queued in the outbox.",
            "success",
        )
    return redirect(url_for("inbox.item", item_id=found.id))


# -- The organisation's side (listed on /org) ------------------------------------------------------


def _own_record(record_id: int):
    record = services.own_record(current_user, record_id)
    if record is None:
        abort(404)
    return record


@bp.post("/recorded/<int:record_id>/consent")
@require(can_take_part)
def consent(record_id: int):
    """A member changes the consent the editor recorded from the e-mail."""
    record = _own_record(record_id)
    form = ConsentForm(prefix=f"record-{record_id}")
    if form.validate_on_submit():
        vote_consent = VoteConsent(form.consent.data) if record.vote_id else None
        quotable = QuoteConsent(form.quotable.data) if record.kind == RecordKind.COMMENT else None
        if (
            attempt(None, services.change_consent, current_user, record, vote_consent, quotable)
            is not REFUSED
        ):
            flash("Consent saved.", "success")
    else:
        flash("Choose the consent from the list.", "error")
    return redirect(url_for("org.index"))


@bp.post("/recorded/<int:record_id>/withdraw")
@require(can_take_part)
def withdraw(record_id: int):
    """A member withdraws what was recorded for the organisation from an e-mail."""
    record = _own_record(record_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if attempt(None, services.withdraw, current_user, record) is not REFUSED:
        flash("Withdrawn.", "success")
    return redirect(url_for("org.index"))
