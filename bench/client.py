"""Time the main pages and exports on a fresh SQLite database filled by seed_bench.

    python -m bench [client] [--scale N] [--requests R] [--json results.json]

Each page is requested R times through the Flask test client (no network); the table shows the
median, 95th percentile and maximum in milliseconds, plus the process's peak memory.
"""

import argparse
import atexit
import json
import re
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select, text

from config import Config
from portal import create_app
from portal.auth.services import create_user
from portal.board.services import BoardFilters, board_query
from portal.extensions import db
from portal.models import Organisation, OrgKind, Requirement, Role, User
from portal.seed.bench import seed_bench

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def log_in(client, email: str, password: str) -> str:
    token = CSRF.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/auth/login", data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code == 302, "log-in failed"
    return token


def timed(client, method: str, url: str, requests: int, forms: list[dict] | None = None) -> dict:
    samples = []
    for i in range(requests):
        data = forms[i % len(forms)] if forms else None
        started = time.perf_counter()
        response = client.open(url, method=method, data=data)
        body = response.get_data()  # consume streamed exports fully
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 302), f"{url}: {response.status_code}"
    samples.sort()
    return {
        "url": url,
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 1),
        "max_ms": round(samples[-1], 1),
        "bytes": len(body),
    }


def main(argv: list[str] | None = None) -> None:
    """Run the test-client benchmark (the default mode)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="cv-bench-"))
    # The database is about 150 MB at scale 5; remove it at exit, even when a request fails.
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    app = create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'bench.sqlite3'}",
        RATELIMIT_ENABLED=False,
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",  # noqa: S106 - bench users only
    )
    results: dict = {"scale": args.scale, "requests": args.requests, "pages": []}
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        results["rows"] = seed_bench(args.scale)
        results["seed_seconds"] = round(time.perf_counter() - started, 1)
        vendor_org = Organisation(name="Bench vendor", slug="bench-vendor", kind=OrgKind.VENDOR)
        db.session.add(vendor_org)
        db.session.flush()
        create_user("bench-vendor@example.com", Role.VENDOR, "Vendor", "bench-password", vendor_org)
        db.session.commit()
        partner = db.session.scalar(select(User.email).where(User.role == Role.PARTNER).limit(1))
        top = db.session.scalar(select(Requirement.id).order_by(Requirement.score.desc()).limit(1))
        plan = db.session.execute(
            text(
                "EXPLAIN QUERY PLAN "
                + str(
                    board_query(BoardFilters())
                    .limit(20)
                    .compile(db.engine, compile_kwargs={"literal_binds": True})
                )
            )
        ).all()
        results["board_query_plan"] = [row[-1] for row in plan]

    partner_client, vendor_client = app.test_client(), app.test_client()
    token = log_in(partner_client, partner, "bench-password")
    log_in(vendor_client, "bench-vendor@example.com", "bench-password")
    n = args.requests
    pages = [
        (partner_client, "GET", "/requirements", {}),
        (partner_client, "GET", "/requirements?sort=newest", {}),
        (partner_client, "GET", "/requirements?sort=revenue", {}),
        (partner_client, "GET", "/requirements?q=billing+invoice", {}),
        (partner_client, "GET", "/requirements?product=bpos&topic=bundling&page=3", {}),
        (partner_client, "GET", f"/requirements/{top}", {}),
        (partner_client, "GET", "/requirements/similar?q=partner+billing+for+customers", {}),
        (
            partner_client,
            "POST",
            f"/requirements/{top}/vote",
            # Alternate the importance: posting the same vote again would write nothing.
            {
                "forms": [
                    {"csrf_token": token, "importance": key, "consent": "anonymous"}
                    for key in ("important", "showstopper")
                ]
            },
        ),
        (vendor_client, "GET", "/reports/vendor", {}),
        (vendor_client, "GET", "/reports/vendor.csv", {}),
    ]
    for client, method, url, kwargs in pages:
        count = max(3, n // 5) if url.endswith(".csv") else n
        results["pages"].append({"method": method, **timed(client, method, url, count, **kwargs)})
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    rows = results["rows"]
    print(
        f"Channel Voice benchmark — scale {args.scale}: "
        + ", ".join(f"{v:,} {k}" for k, v in rows.items())
    )
    print(f"Seeded in {results['seed_seconds']} s; {n} requests per page (fewer for the full CSV).")
    print(f"{'request':62} {'median':>8} {'p95':>8} {'max':>8}")
    for page in results["pages"]:
        label = f"{page['method']} {page['url']}"[:62]
        print(
            f"{label:62} {page['median_ms']:>7.1f} {page['p95_ms']:>7.1f} {page['max_ms']:>7.1f} ms"
        )
    print(f"Peak memory (RSS): {results['peak_rss_mb']} MB")
    print("Board query plan: " + " | ".join(results["board_query_plan"]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
