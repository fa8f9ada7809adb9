"""Revenue at stake aggregated by SQL over organisations, through the privacy module."""

from decimal import Decimal

from portal import privacy
from portal.board import services
from portal.board.services import BoardFilters, board_query
from portal.extensions import db
from portal.models import Importance, Role, User


def vote(make, rid, amount=None, currency=None, org=None):
    user = make.user(Role.PARTNER, org=org)
    amount = Decimal(amount) if amount else None
    services.cast_vote(
        db.session.get(User, user.id),
        rid,
        Importance.IMPORTANT,
        revenue_at_stake=amount,
        currency=currency,
    )
    return user


def test_sum_runs_over_organisations_taking_each_ones_largest_amount(
    ctx, make, make_requirement, rates
):
    rid = make_requirement()
    big = make.org(name="Big", slug="big")
    vote(make, rid, "1000", "USD", org=big)
    vote(make, rid, "5000", "USD", org=big)  # the organisation's largest amount counts, once
    vote(make, rid, "2000", "EUR")  # 2,200 USD
    vote(make, rid, "3000", "USD")
    vote(make, rid, "4000", "USD")
    vote(make, rid, "100", "EUR")  # 110 USD
    vote(make, rid)  # a vote without an amount is not in the revenue group
    shown = privacy.revenue_at_stake_for([rid])[rid]
    assert not shown.suppressed
    # 14,310 over five organisations, released and shown to two significant figures.
    assert (shown.value, shown.orgs) == (14_000, 5)


def test_fewer_than_five_organisations_are_suppressed(ctx, make, make_requirement, rates):
    rid = make_requirement()
    for amount in ("1000", "2000", "3000", "4000"):
        vote(make, rid, amount, "USD")
    shown = privacy.revenue_at_stake_for([rid])[rid]
    assert shown.suppressed and shown.value is None
    assert shown.note == "fewer than 5 organisations"


def test_requirements_without_amounts_are_suppressed_not_zero(ctx, make_requirement, rates):
    rid = make_requirement()
    shown = privacy.revenue_at_stake_for([rid])[rid]
    assert shown.suppressed and shown.value is None


def test_sorting_by_revenue_puts_small_groups_last(ctx, make, make_requirement, rates):
    visible, small = make_requirement("Visible total"), make_requirement("Small but rich")
    for amount in ("10", "10", "10", "10", "10"):
        vote(make, visible, amount, "USD")
    for amount in ("9000000", "9000000"):
        vote(make, small, amount, "USD")
    order = db.session.scalars(board_query(BoardFilters(sort="revenue"))).all()
    assert [r.title for r in order] == ["Visible total", "Small but rich"]


def test_board_shows_the_suppression_note(app, client, make, make_requirement, rates):
    from tests.conftest import login

    with app.app_context():
        rid = make_requirement("Only two orgs")
        vote(make, rid, "500", "USD")
        vote(make, rid, "700", "USD")
    login(client, make.user(Role.VENDOR).email)
    html = client.get("/requirements").get_data(as_text=True)
    assert "fewer than 5 organisations" in html
    assert "500" not in html and "700" not in html and "1,200" not in html
