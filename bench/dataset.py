"""Seeded benchmark databases for the HTTP mode, built with the portal's own CLI and cached.

A SQLite database per scale lives in bench/.cache/scale-N.sqlite. It is seeded under a temporary
name and renamed only when seeding and the log-in accounts are complete, so an interrupted run never
leaves a half-filled file that a later run would reuse.
"""

import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
VENDOR_EMAIL = "bench-http-vendor@example.com"
PARTNER_EMAIL = "bench-http-partner@example.com"
PASSWORD = "bench-password"  # noqa: S105 - bench accounts on a throwaway database
VENDOR_SLUG = "bench-http-vendor"


@dataclass
class Dataset:
    """A seeded database and the facts the HTTP bench needs about it."""

    url: str
    scale: int
    seed_seconds: float | None  # None when a cached file was reused
    product_slug: str
    popular_id: int
    expected_rows: int  # requirements in the vendor report: all but merged
    votes: int


def flask_cli(url: str, *args: str) -> None:
    """Run `flask --app wsgi ARGS` against the database at `url`, failing loudly."""
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True
    )


def add_accounts(url: str) -> None:
    """Create a vendor organisation, a vendor user and a partner user to log in with."""
    from config import Config
    from portal import create_app
    from portal.extensions import db
    from portal.models import Organisation, OrgKind

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.session.add(
            Organisation(name="Bench HTTP vendor", slug=VENDOR_SLUG, kind=OrgKind.VENDOR)
        )
        partner_org = db.session.scalar(
            select(Organisation.slug)
            .where(Organisation.kind == OrgKind.PARTNER)
            .order_by(Organisation.id)
        )
        db.session.commit()
        db.engine.dispose()
    flask_cli(url, "create-user", VENDOR_EMAIL, "--role", "vendor", "--org", VENDOR_SLUG,
              "--password", PASSWORD)  # fmt: skip
    flask_cli(url, "create-user", PARTNER_EMAIL, "--role", "partner", "--org", partner_org,
              "--password", PASSWORD)  # fmt: skip


def seed(url: str, scale: int) -> float:
    """Migrate and seed an empty database at `url`; returns the seconds seeding took."""
    started = time.perf_counter()
    flask_cli(url, "db", "upgrade")
    flask_cli(url, "seed-bench", "--scale", str(scale))
    seconds = time.perf_counter() - started
    add_accounts(url)
    return round(seconds, 1)


def facts(url: str) -> dict:
    """The first product's slug, the most-voted requirement and the report's expected row count."""
    from config import Config
    from portal import create_app
    from portal.extensions import db
    from portal.models import Product, Requirement, Status, Vote

    app = create_app(Config, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        found = {
            "product_slug": db.session.scalar(select(Product.slug).order_by(Product.name)),
            "popular_id": db.session.scalar(
                select(Requirement.id).order_by(Requirement.score.desc()).limit(1)
            ),
            "expected_rows": db.session.scalar(
                select(func.count(Requirement.id)).where(Requirement.status != Status.MERGED)
            ),
            "votes": db.session.scalar(select(func.count(Vote.id))),
        }
        db.engine.dispose()
    return found


def sqlite_dataset(scale: int) -> Dataset:
    """The cached SQLite database for `scale`, seeded first when it is not there yet."""
    CACHE.mkdir(exist_ok=True)
    final = CACHE / f"scale-{scale}.sqlite"
    seconds = None
    if not final.exists():
        partial = final.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        print(f"Seeding scale {scale} into {partial.relative_to(ROOT)} …", flush=True)
        seconds = seed(f"sqlite:///{partial}", scale)
        with sqlite3.connect(partial) as connection:  # fold the WAL in before renaming
            connection.execute("PRAGMA journal_mode=DELETE")
        partial.rename(final)
    url = f"sqlite:///{final}"
    return Dataset(url=url, scale=scale, seed_seconds=seconds, **facts(url))


def postgres_dataset(server_url: str, scale: int) -> Dataset:
    """A new database `bench_scale_N` on the PostgreSQL at `server_url`, seeded; never cached."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_scale_{scale}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    print(f"Seeding scale {scale} into {url} …", flush=True)
    seconds = seed(url, scale)
    return Dataset(url=url, scale=scale, seed_seconds=seconds, **facts(url))
