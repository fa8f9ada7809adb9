"""Board pages under /requirements."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal import privacy
from portal.access import can_administer, can_read_board, can_respond, can_take_part, require
from portal.board import services
from portal.board.forms import (
    CommentForm,
    HideForm,
    MergeForm,
    MergeSearchForm,
    RequirementForm,
    StatusForm,
    VoteForm,
    WithdrawForm,
)
from portal.models import (
    Comment,
    Importance,
    QuoteConsent,
    Requirement,
    Status,
    VoteConsent,
)
from portal.revenue.services import currencies
from portal.web.forms import REFUSED, attempt, form_status
from portal.web.pagination import paginate

bp = Blueprint("board", __name__)


def requirement_form(obj: Requirement | None = None) -> RequirementForm:
    form = RequirementForm(obj=obj)
    products, topics = services.catalogue()
    form.product.choices = [
        ("", "Choose a product…"),
        *((p.id, p.name) for p in products if p.active),
    ]
    form.topics.choices = [(t.id, t.name) for t in topics]
    if obj is not None and request.method == "GET":
        form.product.data = obj.product_id
        form.topics.data = [t.id for t in obj.topics]
    return form


@bp.route("")
@require(can_read_board)
def index():
    """The board: filter, search, sort, paginate."""
    filters = services.BoardFilters.from_args(request.args)
    pagination = paginate(services.board_query(filters, current_user), per_page=20)
    products, topics = services.catalogue()
    return render_template(
        "board/index.html",
        pagination=pagination,
        revenue=privacy.revenue_at_stake_for([r.id for r in pagination.items], current_user),
        org_votes=services.organisation_votes([r.id for r in pagination.items], current_user),
        filters=filters,
        products=products,
        topics=topics,
        statuses=list(Status),
        sorts=services.SORTS,
    )


@bp.route("/similar")
@require(can_read_board)
def similar():
    """JSON: existing requirements similar to a title being typed."""
    title = request.args.get("q", "")[:200]
    found = services.similar_requirements(title)
    return jsonify(
        [
            {
                "id": r.id,
                "title": r.title,
                "url": url_for("board.detail", requirement_id=r.id),
                "votes": r.vote_count,
                "organisations": r.org_count,
                "status": r.status.label,
            }
            for r in found
        ]
    )


@bp.route("/new", methods=["GET", "POST"])
@require(can_take_part)
def new():
    form = requirement_form()
    if form.validate_on_submit():
        requirement = attempt(
            form,
            services.create_requirement,
            current_user,
            form.title.data,
            form.body.data,
            form.product.data,
            form.topics.data,
        )
        if requirement is not REFUSED:
            flash(
                "Your requirement is posted. Ask colleagues at other partners to vote.", "success"
            )
            return redirect(url_for("board.detail", requirement_id=requirement.id))
    return render_template("board/form.html", form=form, requirement=None), form_status(form)


@bp.route("/<int:requirement_id>/edit", methods=["GET", "POST"])
@require(can_take_part)
def edit(requirement_id: int):
    requirement = services.get_requirement(requirement_id)
    if requirement.author_id != current_user.id:
        abort(403)
    form = requirement_form(requirement)
    if form.validate_on_submit():
        saved = attempt(
            form,
            services.edit_requirement,
            current_user,
            requirement,
            form.title.data or "",
            form.body.data or "",
            form.product.data,
            form.topics.data or [],
        )
        if saved is not REFUSED:
            flash("Your changes are saved.", "success")
            return redirect(url_for("board.detail", requirement_id=requirement.id))
    return render_template("board/form.html", form=form, requirement=requirement), form_status(form)


def vote_form(vote=None, **kwargs) -> VoteForm:
    if vote is not None:
        kwargs |= {
            "importance": vote.importance.key,
            "consent": vote.consent.value,
            "revenue_at_stake": vote.revenue_at_stake,
            "currency": vote.currency,
        }
    form = VoteForm(**kwargs)
    # Plain values are valid choices; the WTForms stubs accept (value, label) tuples only.
    form.currency.choices = currencies()  # type: ignore[assignment]
    return form


def render_detail(requirement: Requirement, status: int = 200, **forms):
    vote = services.own_vote(requirement, current_user)
    form = forms.get("vote_form") or vote_form(vote)
    status_form = forms.get("status_form") or StatusForm(
        status=requirement.status.value, response=requirement.response
    )
    return render_template(
        "board/detail.html",
        requirement=requirement,
        vote=vote,
        vote_form=form,
        comment_form=forms.get("comment_form") or CommentForm(),
        status_form=status_form,
        merge_search=MergeSearchForm(formdata=None),
        hide_form=HideForm(),
        comments=services.visible_comments(requirement, current_user),
        history=services.rendered_history(requirement),
        org_vote=services.organisation_votes([requirement.id], current_user).get(requirement.id),
        revenue=privacy.revenue_at_stake_for([requirement.id], current_user)[requirement.id],
        supporters=privacy.named_organisations_for([requirement.id], current_user)[
            requirement.id
        ].names,
    ), status


@bp.route("/<int:requirement_id>")
@require(can_read_board)
def detail(requirement_id: int):
    requirement = services.get_requirement(requirement_id)
    if requirement.status == Status.MERGED and requirement.merged_into_id:
        target_id = requirement.merged_into_id
        flash(
            f"#{requirement.id} was merged into #{target_id}: its votes and comments are here.",
            "info",
        )
        return redirect(url_for("board.detail", requirement_id=target_id))
    return render_detail(requirement)


def back_to(requirement: Requirement, anchor: str = ""):
    return redirect(url_for("board.detail", requirement_id=requirement.id) + anchor)


@bp.route("/<int:requirement_id>/vote", methods=["POST"])
@require(can_take_part)
def vote(requirement_id: int):
    requirement = services.get_requirement(requirement_id)
    form = vote_form()
    if not form.validate():
        return render_detail(requirement, 400, vote_form=form)
    saved = attempt(
        form,
        services.cast_vote,
        current_user,
        requirement.id,
        Importance.from_key(form.importance.data),
        VoteConsent(form.consent.data),
        form.revenue_at_stake.data,
        form.currency.data,
    )
    if saved is REFUSED:
        return render_detail(requirement, 409, vote_form=form)
    flash("Your vote is saved.", "success")
    return back_to(requirement, "#vote")


@bp.route("/<int:requirement_id>/vote/withdraw", methods=["GET", "POST"])
@require(can_take_part)
def withdraw(requirement_id: int):
    """GET asks to confirm (what withdrawing removes); the confirmed POST withdraws the vote."""
    requirement = services.get_requirement(requirement_id)
    form = WithdrawForm()
    if request.method == "GET":
        vote = attempt(None, services.vote_to_withdraw, current_user, requirement)
        if vote is REFUSED:
            return back_to(requirement, "#vote")
        return render_template(
            "board/withdraw_confirm.html", requirement=requirement, vote=vote, form=form
        )
    if not form.validate():
        abort(400)
    removed = attempt(None, services.withdraw_vote, current_user, requirement.id)
    if removed is not REFUSED:
        flash("Your vote is withdrawn." if removed else "You had not voted on this.", "info")
    return back_to(requirement, "#vote")


@bp.route("/<int:requirement_id>/comments", methods=["POST"])
@require(can_take_part)
def comment(requirement_id: int):
    requirement = services.get_requirement(requirement_id)
    form = CommentForm()
    if form.validate():
        body, quotable = form.body.data or "", QuoteConsent(form.quotable.data)
        created = attempt(form, services.add_comment, current_user, requirement, body, quotable)
        if created is not REFUSED:
            flash("Your comment is posted.", "success")
            return back_to(requirement, f"#comment-{created.id}")
    return render_detail(requirement, 400, comment_form=form)


def own_comment(requirement_id: int, comment_id: int) -> tuple[Requirement, Comment]:
    requirement = services.get_requirement(requirement_id)
    return requirement, services.get_comment(requirement, comment_id)


@bp.route("/<int:requirement_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@require(can_take_part)
def edit_comment(requirement_id: int, comment_id: int):
    requirement, comment = own_comment(requirement_id, comment_id)
    if comment.author_id != current_user.id or comment.hidden:
        abort(403)
    form = CommentForm(obj=comment, quotable=comment.quotable.value)
    if form.validate_on_submit():
        body, quotable = form.body.data or "", QuoteConsent(form.quotable.data)
        saved = attempt(form, services.edit_comment, current_user, comment, body, quotable)
        if saved is not REFUSED:
            flash("Your comment is updated.", "success")
            return back_to(requirement, f"#comment-{comment.id}")
    return render_template(
        "board/comment_form.html", form=form, requirement=requirement, comment=comment
    ), form_status(form)


@bp.route("/<int:requirement_id>/comments/<int:comment_id>/hide", methods=["POST"])
@require(can_administer)
def hide_comment(requirement_id: int, comment_id: int):
    requirement, comment = own_comment(requirement_id, comment_id)
    if not HideForm().validate():
        abort(400)
    hidden = request.form.get("hidden", "1") == "1"
    services.set_comment_hidden(current_user, comment, hidden)
    flash("The comment is hidden." if hidden else "The comment is visible again.", "info")
    return back_to(requirement, f"#comment-{comment.id}")


@bp.route("/<int:requirement_id>/status", methods=["POST"])
@require(can_respond)
def set_status(requirement_id: int):
    requirement = services.get_requirement(requirement_id)
    form = StatusForm()
    if form.validate():
        saved = attempt(
            form,
            services.set_status,
            current_user,
            requirement,
            Status(form.status.data),
            form.response.data or "",
        )
        if saved is not REFUSED:
            flash("The status and response are published; watchers are notified.", "success")
            return back_to(requirement, "#official-response")
    return render_detail(requirement, 400, status_form=form)


@bp.route("/<int:requirement_id>/merge", methods=["GET", "POST"])
@require(can_respond)
def merge(requirement_id: int):
    """Merge a duplicate in two steps: choose the requirement to keep (by number, or by words
    from its title), then confirm on a page showing both and what moves; the POST merges."""
    duplicate = services.get_requirement(requirement_id)
    if request.method == "POST":
        return merge_confirmed(duplicate)
    search = MergeSearchForm(request.args)
    wanted = (search.target.data or "").strip().removeprefix("#").strip()
    if not request.args or not search.validate():
        return render_merge_choice(duplicate, search), 400 if request.args else 200
    if not wanted.isdigit() or len(wanted) > 9:
        candidates = services.merge_candidates(duplicate, wanted)
        return render_merge_choice(duplicate, search, candidates)
    plan = attempt(search, services.merge_plan, current_user, duplicate, int(wanted))
    if plan is REFUSED:
        return render_merge_choice(duplicate, search), 400
    return render_template(
        "board/merge_confirm.html", plan=plan, form=MergeForm(target=plan.target.id)
    )


def render_merge_choice(duplicate: Requirement, search: MergeSearchForm, candidates=None) -> str:
    return render_template(
        "board/merge_choose.html", duplicate=duplicate, search=search, candidates=candidates
    )


def merge_confirmed(duplicate: Requirement):
    form = MergeForm()
    if form.validate():
        target = attempt(form, services.merge_into, current_user, duplicate, form.target.data or 0)
        if target is not REFUSED:
            flash(
                f"Merged #{duplicate.id} into #{target.id}; its author and voters are told.",
                "success",
            )
            return back_to(target)
    search = MergeSearchForm(formdata=None, target=request.form.get("target", "")[:200])
    search.target.errors = [message for messages in form.errors.values() for message in messages]
    return render_merge_choice(duplicate, search), 400
