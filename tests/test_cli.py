"""Command-line interface: seed-demo and create-user."""

from portal.demo import PARTNERS, USERS
from portal.extensions import db
from portal.models import Organisation, OrgKind, PartnerType, Region, SizeBand, User


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
