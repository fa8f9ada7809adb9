"""Command-line interface: seed-demo, create-user and release-figures."""

from decimal import Decimal

from portal import privacy
from portal.extensions import db
from portal.models import (
    Importance,
    Organisation,
    OrgKind,
    PartnerType,
    Region,
    ReleasedCell,
    Requirement,
    SizeBand,
    SurveyRelease,
    User,
    Vote,
)
from portal.seed.demo import PARTNERS, USERS


def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "Demo data loaded" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == len(USERS)


def test_demo_partners_cover_every_type_region_and_size(ctx, runner):
    runner.invoke(args=["seed-demo"])
    partners = db.session.scalars(
        db.select(Organisation).where(Organisation.kind == OrgKind.PARTNER)
    ).all()
    assert len(partners) == len(PARTNERS) >= 12
    assert {o.partner_type for o in partners} == set(PartnerType)
    assert {o.region for o in partners} == set(Region)
    assert {o.size_band for o in partners} == set(SizeBand)


def test_demo_accounts_log_in_with_the_demo_password(ctx, runner):
    runner.invoke(args=["seed-demo"])
    for email in ("admin@example.com", "editor@example.com", "vendor@example.com"):
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user.check_password("demo-password")
    partner = db.session.scalar(db.select(User).where(User.email == "partner@example.com"))
    assert partner.is_org_manager and partner.organisation.kind == OrgKind.PARTNER


def test_create_user_makes_an_admin(ctx, runner):
    result = runner.invoke(
        args=["create-user", "Boss@Example.com", "--role", "admin", "--password", "long-enough-pw"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(User).where(User.email == "boss@example.com"))


def test_create_user_refuses_a_duplicate_and_an_unknown_org(ctx, runner, make):
    make.user(email="taken@example.com")
    duplicate = runner.invoke(
        args=["create-user", "TAKEN@example.com", "--role", "admin", "--password", "long-enough-pw"]
    )
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    unknown = runner.invoke(
        args=[
            "create-user",
            "x@example.com",
            "--role",
            "partner",
            "--org",
            "nope",
            "--password",
            "long-enough-pw",
        ]
    )
    assert unknown.exit_code != 0 and "No organisation" in unknown.output


def test_create_user_refuses_a_partner_without_an_organisation(ctx, runner):
    result = runner.invoke(
        args=["create-user", "p@example.com", "--role", "partner", "--password", "long-enough-pw"]
    )
    assert result.exit_code != 0 and "needs an organisation" in result.output


def test_the_demo_releases_meaningful_figures(ctx, runner):
    """Popular demo requirements show released revenue; some small ones are suppressed."""
    runner.invoke(args=["seed-demo"])
    wholes = db.session.scalars(
        db.select(ReleasedCell).where(ReleasedCell.dimension == "all")
    ).all()
    shown = [c for c in wholes if c.revenue_shown is not None]
    assert len(shown) >= 20
    assert len(shown) < db.session.scalar(db.select(db.func.count(Requirement.id)))
    assert db.session.scalar(db.select(db.func.count(SurveyRelease.survey_id))) == 2


def test_release_figures_releases_votes_written_before_the_upgrade(
    ctx, runner, make, make_requirement, rates
):
    rid = make_requirement()
    for amount in (1_000, 2_000, 3_000, 4_000, 5_000):  # written directly, as an old database has
        user = make.user()
        db.session.add(
            Vote(
                requirement_id=rid,
                user_id=user.id,
                organisation_id=user.organisation_id,
                importance=Importance.IMPORTANT,
                revenue_at_stake=Decimal(amount),
                currency="USD",
            )
        )
    db.session.commit()
    assert privacy.revenue_at_stake_for([rid])[rid].suppressed
    first = runner.invoke(args=["release-figures"])
    assert (
        first.exit_code == 0 and "Released 3 sets of figures." in first.output
    )  # voters, whole, segments
    assert privacy.revenue_at_stake_for([rid])[rid].value == 15_000
    again = runner.invoke(args=["release-figures"])
    assert "Released 0 sets of figures." in again.output
