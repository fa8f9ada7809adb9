"""The adversary's tests: each attack of issue 9 played on the surfaces a viewer really reads.

Every test states what the attacker computes and asserts it yields no more than a showable
cell. Survey attacks (trackers, tiny surveys) live in tests/surveys/test_release_attacks.py.
"""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal import privacy
from portal.board import services
from portal.briefs import services as briefs
from portal.database import utcnow
from portal.extensions import db
from portal.inbox import services as inbox
from portal.models import (
    ExchangeRate,
    Importance,
    InboxItem,
    OnBehalfRecord,
    PartnerType,
    Region,
    Requirement,
    RequirementRelease,
    Role,
    User,
    VoteConsent,
)
from tests.privacy.conftest import revenue_figures

FIVE = [1_000, 2_000, 3_000, 4_000, 5_000]  # released together: sum 15,000


def released(stage, title="Popular", amounts=FIVE, days_ago=0, **segments) -> int:
    """A requirement whose figures five organisations have released."""
    rid = stage.requirement(title, days_ago=days_ago)
    for org, amount in zip(stage.orgs(len(amounts), **segments), amounts, strict=True):
        stage.vote(org, rid, amount)
    return rid


def every_surface(stage) -> str:
    """What a vendor user can read anywhere, as one text: pages, exports, API, board."""
    client = stage.client_for(Role.VENDOR)
    texts = [
        client.get("/reports/vendor").get_data(as_text=True),
        client.get("/reports/vendor.csv").get_data(as_text=True),
        client.get("/requirements").get_data(as_text=True),
        client.get("/requirements?sort=revenue").get_data(as_text=True),
        str(stage.report()),
    ]
    book = load_workbook(io.BytesIO(client.get("/reports/vendor.xlsx").data))
    texts += [str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row]
    pdf = PdfReader(io.BytesIO(client.get("/reports/vendor.pdf").data))
    texts += [page.extract_text() for page in pdf.pages]
    with stage.app.app_context():
        for rid in db.session.scalars(db.select(Requirement.id)):
            texts.append(client.get(f"/requirements/{rid}").get_data(as_text=True))
    return "\n".join(texts)


def spellings(amount: int) -> list[str]:
    return [f"{amount:,}", str(amount)]


# -- 1. The total minus the shown rows ------------------------------------------------------------


def test_total_minus_shown_rows_recovers_nothing(stage):
    released(stage, "Shown to everyone")
    lone = stage.requirement("Only one hoster backs this")
    hoster = stage.org(partner_type=PartnerType.MSP_HOSTER, region=Region.LATAM)
    stage.vote(hoster, lone, 8_700_000)
    report = stage.report()
    shown_rows = sum(i["revenue_at_stake"]["sum"]["value"] or 0 for i in report["items"])
    for breakdown in report["breakdowns"]:
        # "All" minus the shown rows: zero, not the hoster's amount.
        assert breakdown["all"]["revenue_at_stake"] - shown_rows == 0
        assert breakdown["all"]["requirements"] == 2
        assert breakdown["all"]["revenue_cells_shown"] == 1
    text = every_surface(stage)
    for secret in (8_700_000, 8_700_000 + 15_000):
        assert not any(s in text for s in spellings(secret))


def test_a_requirement_total_minus_its_shown_segments_is_a_safe_group(stage):
    """Secondary suppression: one segment is small, so a second one is hidden with it."""
    rid = stage.requirement("Mostly EMEA")
    for org, amount in zip(
        stage.orgs(6, region=Region.EMEA), [10, 20, 30, 40, 50, 60], strict=True
    ):
        stage.vote(org, rid, amount * 1_000)
    telco = stage.org(region=Region.LATAM, partner_type=PartnerType.TELCO)
    stage.vote(telco, rid, 70_000)  # the seventh change, waiting
    for org in stage.orgs(4, region=Region.NA):
        stage.vote(org, rid, 25_000)  # with the telco: five changes, released
    cells = stage.shown_cells(rid)
    whole = cells[("all", "all")][1]
    assert whole is not None
    shown_regions = sum(v for (d, _), (_, v) in cells.items() if d == "region" and v)
    # LATAM (the telco alone) is hidden, and so is at least one more region: the difference
    # covers more than the telco.
    assert cells[("region", "latam")][1] is None
    assert whole - shown_regions != privacy.round_money(Decimal(70_000))
    hidden = [s for (d, s), (_, v) in cells.items() if d == "region" and v is None]
    assert len(hidden) >= 2


# -- 2. Differencing two filtered views -----------------------------------------------------------


def test_two_date_ranges_one_day_apart_differ_by_shown_cells_only(stage):
    released(stage, "Posted last week", days_ago=7, region=Region.NA)
    new = stage.requirement("Posted today")
    for org in stage.orgs(5, region=Region.EMEA):
        stage.vote(org, new, 5_000)
    telco = stage.org(region=Region.LATAM, partner_type=PartnerType.TELCO)
    stage.vote(telco, new, 6_000)
    for org in stage.orgs(4, region=Region.EMEA):
        stage.vote(org, new, 5_000)  # five changes since the first release: released again
    today = utcnow().date()
    until_today = revenue_figures(stage.report(f"to={today}"))
    until_yesterday = revenue_figures(stage.report(f"to={today - timedelta(days=1)}"))
    cells = stage.shown_cells(new)
    for key, value in until_today.items():
        if isinstance(key[0], int):
            continue  # a row of the table: the requirement itself, shown or suppressed
        difference = (value or 0) - (until_yesterday.get(key) or 0)
        segment_label, column = key[1], key[2]
        if column == "showstopper_organisations":
            continue
        shown = _shown_value(cells, key[0], segment_label, column)
        assert difference == shown, key
    assert until_today[(new, "sum")] == 51_000  # the telco is in the requirement's figure…
    # …but its 6,000 is in no difference: LATAM grew by nothing (hidden with a second region).
    latam = ("Region", "Latin America", "revenue_at_stake")
    assert (until_today[latam] or 0) - (until_yesterday[latam] or 0) == 0


def _shown_value(cells, segment_name, label, column) -> int:
    """The new requirement's shown cell behind one row of a breakdown (0 when hidden)."""
    dimension = {"Partner type": "partner_type", "Region": "region", "Size": "size_band"}[
        segment_name
    ]
    if label == "All":
        voters, revenue = cells[("all", "all")]
    else:
        members = privacy.SEGMENTS[dimension][1]
        key = next((m.value for m in members if m.label == label), privacy.UNKNOWN)
        voters, revenue = cells.get((dimension, key), (0, None))
    return voters if column == "voting_organisations" else (revenue or 0)


def test_one_new_anonymous_vote_moves_no_segment_or_revenue_figure(stage):
    rid = released(stage)
    before = stage.report()
    newcomer = stage.org(region=Region.APAC, partner_type=PartnerType.ISV)
    stage.vote(newcomer, rid, 42_000, importance=Importance.SHOWSTOPPER)
    after = stage.report()
    assert revenue_figures(after) == revenue_figures(before)
    # Only the live, public counts moved.
    assert after["items"][0]["organisations"] == before["items"][0]["organisations"] + 1


def test_a_vote_recorded_from_an_e_mail_moves_nothing_and_neither_does_withdrawing_it(
    app, stage, make
):
    """The editor records a newcomer's e-mailed vote, then the organisation withdraws it: one
    organisation's change each time, so no released figure may move (segments included)."""
    rid = released(stage)
    before = revenue_figures(stage.report())
    newcomer = stage.org(region=Region.APAC, partner_type=PartnerType.ISV)
    editor = make.user(Role.EDITOR)
    with app.app_context():
        item = InboxItem(
            message_id="<attack@newcomer.example>",
            from_email="ceo@newcomer.example",
            subject="We need partner billing",
            body="Count us in: a showstopper.",
            organisation_id=newcomer,
        )
        db.session.add(item)
        db.session.commit()
        record = inbox.record_vote(
            db.session.get(User, editor.id), item, rid, Importance.SHOWSTOPPER
        )
        record_id = record.id
    after_recording = stage.report()
    assert revenue_figures(after_recording) == before
    assert after_recording["items"][0]["organisations"] == 6  # the live, public count moved
    with app.app_context():
        member = db.session.get(User, stage.members[newcomer])
        inbox.withdraw(member, db.session.get(OnBehalfRecord, record_id))
    assert revenue_figures(stage.report()) == before


def test_a_release_does_not_move_a_segment_by_one_newcomers_amount(stage):
    """Five changes release the requirement, but only one of them is in EMEA: EMEA must not move
    by exactly that organisation's amount (a shown segment cell is a live sum in small)."""
    rid = stage.requirement("EMEA and North America")
    for org, amount in zip(stage.orgs(5, region=Region.EMEA), FIVE, strict=True):
        stage.vote(org, rid, amount)
    for org, amount in zip(stage.orgs(5, region=Region.NA), FIVE, strict=True):
        stage.vote(org, rid, amount)
    before = revenue_figures(stage.report())
    emea = ("Region", "EMEA", "revenue_at_stake")
    assert before[emea] == 15_000  # shown: five EMEA organisations
    newcomer = stage.org(region=Region.EMEA)
    stage.vote(newcomer, rid, 3_000)
    for org in stage.orgs(4, region=Region.NA):
        stage.vote(org, rid, 2_500)  # five changes, balanced: the requirement is released
    after = revenue_figures(stage.report())
    assert after[(rid, "sum")] != before[(rid, "sum")]
    assert (after[emea] or 0) - before[emea] != 3_000
    assert after[emea] in (None, 0, before[emea]) or after[emea] - before[emea] != 3_000


# -- 3. Watching a live sum -----------------------------------------------------------------------


def test_a_named_organisation_voting_does_not_move_the_sum(app, stage):
    rid = released(stage)
    with app.app_context():
        before_brief = briefs.board_snapshot()
    vendor = stage.client_for(Role.VENDOR)
    before_csv = stage.csv(vendor)
    named = stage.org(name="Northgate Licensing")
    stage.vote(named, rid, 250_000, consent=VoteConsent.NAMED_TO_VENDOR)
    item = stage.report()["items"][0]
    assert item["named_organisations"] == ["Northgate Licensing"]
    assert item["revenue_at_stake"]["sum"]["value"] == 15_000  # not 265,000
    assert stage.csv(vendor)[0]["revenue_at_stake_sum"] == before_csv[0]["revenue_at_stake_sum"]
    with app.app_context():  # a board brief published now shows what one published before did
        after_brief = briefs.board_snapshot()
    assert after_brief["requirements"][0]["revenue"] == before_brief["requirements"][0]["revenue"]
    # Four small changes: five organisations changed, but Northgate's change would make up
    # 98% of the jump, so nothing is released.
    for org in stage.orgs(4):
        stage.vote(org, rid, 1_000)
    assert stage.report()["items"][0]["revenue_at_stake"]["sum"]["value"] == 15_000
    # Three more organisations with 100,000 each: the changes balance, the figure is released.
    for org in stage.orgs(3):
        stage.vote(org, rid, 100_000)
    moved = stage.report()["items"][0]["revenue_at_stake"]["sum"]
    assert moved["organisations"] == 13
    assert moved["value"] == privacy.round_money(Decimal(15_000 + 250_000 + 4_000 + 300_000))


# -- 4. Merging a suppressed duplicate ------------------------------------------------------------


def test_merging_a_suppressed_duplicate_adds_nothing_visible(app, stage, make):
    """Merged votes are changes like any other: two organisations move nothing."""
    target = released(stage, "The original")
    duplicate = stage.requirement("The duplicate")
    for org, amount in zip(stage.orgs(2), [333_000, 444_000], strict=True):
        stage.vote(org, duplicate, amount)
    before = revenue_figures(stage.report())
    vendor = make.user(Role.VENDOR)
    with app.app_context():
        services.merge_requirements(
            db.session.get(User, vendor.id),
            db.session.get(Requirement, duplicate),
            db.session.get(Requirement, target),
        )
    after = revenue_figures(stage.report())
    assert after[(target, "sum")] == before[(target, "sum")] == 15_000
    segments_before = {k: v for k, v in before.items() if not isinstance(k[0], int)}
    segments_after = {k: v for k, v in after.items() if not isinstance(k[0], int)}
    assert segments_after == segments_before


# -- 5. Exchange-rate changes ---------------------------------------------------------------------


def test_an_exchange_rate_change_moves_nothing_until_enough_organisations_change(app, stage):
    rid = stage.requirement("Paid in euros, partly")
    for org in stage.orgs(5, region=Region.NA):
        stage.vote(org, rid, 10_000)
    euro = stage.org()
    stage.vote(euro, rid, 10_000, currency="EUR")  # waits: one change
    for org in stage.orgs(4, region=Region.NA):
        stage.vote(org, rid, 10_000)  # released with the euro amount at 1.10
    before = revenue_figures(stage.report())
    assert before[(rid, "sum")] == privacy.round_money(Decimal(50_000 + 11_000 + 40_000))
    with app.app_context():
        db.session.scalar(db.select(ExchangeRate).where(ExchangeRate.currency == "EUR")).rate = 2
        db.session.commit()
    other = stage.org()
    stage.vote(other, rid, 10_000)  # a vote after the rate change: one change, no release
    assert revenue_figures(stage.report()) == before
    with app.app_context():  # the rate change itself is not counted as the euro voter changing
        state = db.session.get(RequirementRelease, rid)
        assert state.revenue_pending == 1


# -- 6. Zeros and the viewer's own organisation ---------------------------------------------------


def test_zeros_do_not_count_towards_the_threshold(stage):
    rid = stage.requirement("Four amounts and a zero")
    for org, amount in zip(stage.orgs(5), [1_000, 2_000, 3_000, 4_000, 0], strict=True):
        stage.vote(org, rid, amount)
    shown = stage.report()["items"][0]["revenue_at_stake"]["sum"]
    assert shown["suppressed"] and shown["value"] is None
    assert "10,000" not in every_surface(stage)


def test_a_partner_does_not_see_a_figure_it_is_one_of_five_in(stage):
    rid = stage.requirement("Five including us")
    us, *others = stage.orgs(5)
    for org, amount in zip([us, *others], [7_000, 1_000, 2_000, 3_000, 4_000], strict=True):
        stage.vote(org, rid, amount)
    assert stage.report()["items"][0]["revenue_at_stake"]["sum"]["value"] == 17_000
    ours = stage.client_for(Role.PARTNER, org_id=us).get("/requirements").get_data(as_text=True)
    outsider = stage.client_for(Role.PARTNER, org_id=stage.org())
    theirs = outsider.get("/requirements").get_data(as_text=True)
    assert "17,000" not in ours and "fewer than 5 organisations" in ours
    assert "17,000" in theirs
    detail = stage.client_for(Role.PARTNER, org_id=us).get(f"/requirements/{rid}")
    assert "17,000" not in detail.get_data(as_text=True)


def test_a_partner_entering_zero_learns_nothing_more(stage):
    rid = stage.requirement("Four and a curious zero")
    for org, amount in zip(stage.orgs(4), [1_000, 2_000, 3_000, 4_000], strict=True):
        stage.vote(org, rid, amount)
    curious = stage.org()
    stage.vote(curious, rid, 0)
    page = stage.client_for(Role.PARTNER, org_id=curious).get(f"/requirements/{rid}")
    assert "10,000" not in page.get_data(as_text=True)
    assert "fewer than 5 organisations" in page.get_data(as_text=True)


def test_sorting_by_revenue_reveals_nothing_a_partner_may_not_see(stage):
    ours = stage.requirement("Ours, big")
    us, *others = stage.orgs(5)
    for org in [us, *others]:
        stage.vote(org, ours, 900_000)
    small = released(stage, "Someone else's, small")
    client = stage.client_for(Role.PARTNER, org_id=us)
    page = client.get("/requirements?sort=revenue").get_data(as_text=True)
    # Our requirement's figure is hidden from us, so it sorts last, not first.
    assert page.index("Someone else") < page.index("Ours, big")
    vendor_page = stage.client_for(Role.VENDOR).get("/requirements?sort=revenue")
    text = vendor_page.get_data(as_text=True)
    assert text.index("Ours, big") < text.index("Someone else")
    assert small


# -- 7. Dominance ---------------------------------------------------------------------------------


@pytest.mark.parametrize("others", [[0, 0, 0, 0], [1_000, 1_000, 1_000, 1_000, 1_000]])
def test_one_dominant_organisation_is_never_shown_as_the_sum(stage, others):
    rid = stage.requirement("One giant")
    giant = stage.org()
    stage.vote(giant, rid, 8_700_000)
    for org, amount in zip(stage.orgs(len(others)), others, strict=True):
        stage.vote(org, rid, amount)
    shown = stage.report()["items"][0]["revenue_at_stake"]["sum"]
    assert shown["suppressed"]
    text = every_surface(stage)
    for secret in (8_700_000, 8_700_000 + sum(others)):
        assert not any(s in text for s in spellings(secret))


def test_a_dominated_figure_is_marked_as_such_once_released(stage):
    rid = stage.requirement("Giant among five")
    for org, amount in zip(stage.orgs(5), [1_000, 2_000, 3_000, 4_000, 5_000], strict=True):
        stage.vote(org, rid, amount)
    giant = stage.org()
    stage.vote(giant, rid, 500_000)
    for org in stage.orgs(4):
        stage.vote(org, rid, 1_000)  # five changes, but the giant's makes up 99% of them
    shown = stage.report()["items"][0]["revenue_at_stake"]["sum"]
    assert shown["value"] == 15_000  # the old release stands
    for org in stage.orgs(2):
        stage.vote(org, rid, 300_000)  # now the changes balance: released, and not dominated
    shown = stage.report()["items"][0]["revenue_at_stake"]["sum"]
    assert shown["organisations"] == 12
    assert shown["value"] == privacy.round_money(Decimal(15_000 + 500_000 + 4_000 + 600_000))


def test_a_released_figure_one_organisation_dominates_is_suppressed(stage):
    rid = stage.requirement("Balanced changes, dominated result")
    a, *rest = stage.orgs(5)
    for org in [a, *rest]:
        stage.vote(org, rid, 10_000)  # released: 50,000
    stage.vote(a, rid, 400_000)
    for org in rest:
        stage.withdraw(org, rid)
    for org in stage.orgs(4):
        stage.vote(org, rid, 90_000)  # nine changes, none dominating them: released
    shown = stage.report()["items"][0]["revenue_at_stake"]["sum"]
    assert shown["suppressed"] and shown["note"] == "one organisation makes up most of it"
    assert shown["released_at"] is not None
    assert "760,000" not in every_surface(stage)


def test_a_partner_does_not_see_a_figure_another_dominates_once_its_own_is_taken_out(stage):
    rid = stage.requirement("Half is one other partner")
    big, us, *others = stage.orgs(6)
    for org, amount in zip([big, us, *others], [50_000] + [10_000] * 5, strict=True):
        stage.vote(org, rid, amount)
    # 100,000 with the largest at exactly half: shown to the vendor and to outsiders…
    assert stage.report()["items"][0]["revenue_at_stake"]["sum"]["value"] == 100_000
    outsider = stage.client_for(Role.PARTNER, org_id=stage.org())
    assert "100,000" in outsider.get(f"/requirements/{rid}").get_data(as_text=True)
    # …but without our 10,000 the big partner is 56% of the rest: hidden from us.
    ours = stage.client_for(Role.PARTNER, org_id=us).get(f"/requirements/{rid}")
    assert "100,000" not in ours.get_data(as_text=True)


# -- 8. Names go to the vendor only ---------------------------------------------------------------


def test_the_editor_never_sees_names_consented_to_the_vendor(stage):
    rid = released(stage)
    named = stage.org(name="Quietly Named Ltd")
    stage.vote(named, rid, None, consent=VoteConsent.NAMED_TO_VENDOR)
    editor_page = stage.client_for(Role.EDITOR).get("/reports/vendor").get_data(as_text=True)
    vendor_page = stage.client_for(Role.VENDOR).get("/reports/vendor").get_data(as_text=True)
    assert "Quietly Named Ltd" in vendor_page
    assert "Quietly Named Ltd" not in editor_page
    editor_detail = stage.client_for(Role.EDITOR).get(f"/requirements/{rid}")
    assert "Quietly Named Ltd" not in editor_detail.get_data(as_text=True)
