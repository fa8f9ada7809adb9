"""The benchmark dataset: the requested sizes, one vote per user and requirement, exact counts."""

from sqlalchemy import Integer, distinct, func, inspect, select, type_coerce

from portal.extensions import db
from portal.models import Product, Requirement, Topic, Vote
from portal.seed.bench import STEPS, seed_bench


def test_seed_bench_builds_consistent_data(ctx):
    created = seed_bench(1, size=0.02)
    assert created == {
        "organisations": 2,
        "users": 6,
        "requirements": 20,
        "votes": 12,
        "comments": 60,
    }
    pairs = db.session.execute(select(Vote.requirement_id, Vote.user_id)).all()
    assert len(pairs) == len(set(pairs))
    for requirement in db.session.scalars(select(Requirement)):
        per_org = (
            select(func.max(type_coerce(Vote.importance, Integer)).label("top"))
            .where(Vote.requirement_id == requirement.id)
            .group_by(Vote.organisation_id)
            .subquery()
        )
        votes, orgs = db.session.execute(
            select(func.count(Vote.id), func.count(distinct(Vote.organisation_id))).where(
                Vote.requirement_id == requirement.id
            )
        ).one()
        score = db.session.scalar(select(func.coalesce(func.sum(per_org.c.top), 0)))
        assert (requirement.vote_count, requirement.org_count, requirement.score) == (
            votes,
            orgs,
            score,
        )


def test_seeding_twice_adds_a_second_batch(ctx):
    seed_bench(1, size=0.02)
    seed_bench(1, size=0.02)
    assert db.session.scalar(select(func.count(Requirement.id))) == 40


def test_seed_bench_command(runner):
    result = runner.invoke(args=["seed-bench", "--scale", "0"])
    assert result.exit_code != 0  # scale must be 1 or more


def test_seed_bench_reports_each_step_in_order(ctx):
    started = []
    seed_bench(1, size=0.02, progress=started.append)
    assert started == list(STEPS)


def test_seed_bench_keeps_the_vote_indexes(ctx):
    def indexes():
        return sorted(
            (index["name"], tuple(index["column_names"]))
            for index in inspect(db.session.connection()).get_indexes("vote")
        )

    before = indexes()
    seed_bench(1, size=0.02)
    assert indexes() == before and len(before) >= 7


def test_seed_bench_after_seed_demo_reuses_the_catalogue(ctx, runner):
    runner.invoke(args=["seed-demo"])
    products = db.session.scalar(select(func.count(Product.id)))
    topics = db.session.scalar(select(func.count(Topic.id)))
    seed_bench(1, size=0.02)
    assert db.session.scalar(select(func.count(Product.id))) >= products
    slugs = db.session.scalars(select(Topic.slug)).all()
    assert len(slugs) == len(set(slugs)) and len(slugs) >= topics
