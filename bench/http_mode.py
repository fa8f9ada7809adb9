"""The HTTP mode: the portal as production runs it, under gunicorn, on seeded databases.

    python -m bench http [--scales 3 33] [--requests 20] [--postgres] [--json out.json]

For each scale: seed (or reuse) a database, start `gunicorn -w 2 wsgi:app` on it, log in over HTTP,
time the board and the vendor report for one client, measure the board's throughput with wrk next
to a hello-world app under the same gunicorn settings (measured right after it, so both see the same
load on the machine), and download every export in full.
"""

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import dataset
from bench.client_http import log_in, time_page
from bench.downloads import binary_export, csv_export
from bench.load import throughput
from bench.server import WORKER_TIMEOUT_S, WORKERS, gunicorn

PDF_TIMEOUT_S = 180  # a large PDF is a background job laid out in parts: minutes at scale 33
XLSX_TIMEOUT_S = 120
IN_POSTGRES = "BENCH_IN_POSTGRES"  # set when we run inside scripts/with-postgres.sh


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The HTTP mode's options."""
    parser = argparse.ArgumentParser(
        prog="python -m bench http", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scales", type=int, nargs="+", default=[3])
    parser.add_argument("--requests", type=int, default=20, help="sequential requests per page")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL; board and report only")
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser.parse_args(argv)


def pages(ds: dataset.Dataset) -> list[tuple[str, str]]:
    """(who, path) for each timed page: the board as a partner, the report as the vendor."""
    return [
        ("partner", "/requirements"),
        ("partner", "/requirements?sort=revenue"),
        ("partner", "/requirements?sort=newest"),
        ("partner", f"/requirements/{ds.popular_id}"),
        ("vendor", "/reports/vendor"),
        ("vendor", f"/reports/vendor?product={ds.product_slug}"),
    ]


def measure_scale(ds: dataset.Dataset, requests: int, exports: bool, hello_url: str) -> dict:
    """Everything measured at one scale, with gunicorn serving `ds`; hello-world at `hello_url`."""
    result = {
        "scale": ds.scale,
        "requirements": ds.expected_rows,
        "votes": ds.votes,
        "seed_seconds": ds.seed_seconds,
    }
    label = f"{'postgres' if ds.url.startswith('postgresql') else 'sqlite'}-scale-{ds.scale}"
    with gunicorn("wsgi:app", label, ds.url) as server:
        sessions = {
            "partner": log_in(server.base_url, dataset.PARTNER_EMAIL, dataset.PASSWORD),
            "vendor": log_in(server.base_url, dataset.VENDOR_EMAIL, dataset.PASSWORD),
        }
        result["pages"] = []
        for who, path in pages(ds):
            print(f"  scale {ds.scale}: {requests} × {path}", flush=True)
            result["pages"].append({"as": who, **time_page(sessions[who], path, requests)})
        print(f"  scale {ds.scale}: throughput of /requirements", flush=True)
        result["board_throughput"] = throughput(
            server.base_url + "/requirements", sessions["partner"].cookie_header()
        )
        result["hello_throughput"] = throughput(hello_url)
        if exports:
            vendor = sessions["vendor"]
            print(f"  scale {ds.scale}: exports (CSV, XLSX, PDF)", flush=True)
            result["csv"] = csv_export(vendor, server, ds.expected_rows)
            result["xlsx"] = binary_export(vendor, server, "/reports/vendor.xlsx", XLSX_TIMEOUT_S)
            result["pdf"] = binary_export(vendor, server, "/reports/vendor.pdf", PDF_TIMEOUT_S)
    return result


def page_ms(result: dict, path: str, stat: str = "p50_ms") -> float:
    """The median (or another `stat`) in ms of a page at one scale."""
    return next(page[stat] for page in result["pages"] if page["path"] == path)


def ratios(results: list[dict]) -> dict:
    """The figures issue 10 asks for, derived from the measurements."""
    first, last = results[0], results[-1]
    found = {}
    if len(results) > 1:
        found[f"vendor report p50 time({last['scale']})/time({first['scale']})"] = round(
            page_ms(last, "/reports/vendor") / page_ms(first, "/reports/vendor"), 2
        )
    found[f"board p95 ms at scale {last['scale']}"] = page_ms(last, "/requirements", "p95_ms")
    for result in results:
        scale = result["scale"]
        found[f"board throughput / hello-world, scale {scale}"] = round(
            result["board_throughput"]["requests_per_s"]
            / result["hello_throughput"]["requests_per_s"],
            3,
        )
        found[f"revenue sort / default sort p50, scale {scale}"] = round(
            page_ms(result, "/requirements?sort=revenue") / page_ms(result, "/requirements"), 2
        )
        if "csv" in result:
            csv = result["csv"]
            found[f"CSV complete, scale {scale}"] = "yes" if csv["complete"] else "FAILED"
            found[f"CSV worker RSS growth MB, scale {scale}"] = csv["rss_growth_mb"]
    return found


def export_cell(export: dict) -> str:
    """'1.23 s OK' or '31.0 s FAILED' for the table; the reasons are printed below it."""
    job = " (job)" if export.get("job") else ""
    return f"{export['seconds']:.2f} s{job} {'OK' if export['complete'] else 'FAILED'}"


def memory_cell(export: dict) -> str:
    """'4.4 MB (108.0)': one worker's growth and the largest high-water mark, in MB."""
    if export["rss_growth_mb"] is None:
        return "n/a: worker replaced"
    return f"{export['rss_growth_mb']} MB ({export['worker_peak_mb']})"


def table_rows(results: list[dict]) -> list[tuple[str, list[str]]]:
    """(label, one cell per scale) for the printed table."""
    rows = [
        ("requirements / votes", [f"{r['requirements']:,} / {r['votes']:,}" for r in results]),
        (
            "seeding (CLI)",
            [f"{r['seed_seconds']} s" if r["seed_seconds"] else "cached" for r in results],
        ),
    ]
    for index, page in enumerate(results[0]["pages"]):
        label = (
            f"GET {page['path']}"
            if "/requirements/" not in page["path"]
            else "GET /requirements/<top>"
        )
        rows.append(
            (
                f"{label} ({page['as']})",
                [
                    "{p50_ms:.1f} / {p95_ms:.1f} / {max_ms:.1f}".format(**r["pages"][index])
                    for r in results
                ],
            )
        )
    rows.append(
        (
            "board req/s (hello-world req/s)",
            [
                "{:.0f} ({:.0f})".format(
                    r["board_throughput"]["requests_per_s"], r["hello_throughput"]["requests_per_s"]
                )
                for r in results
            ],
        )
    )
    if "csv" in results[0]:
        rows += [
            ("CSV download", [export_cell(r["csv"]) for r in results]),
            (
                "CSV MB, rows / expected",
                [
                    "{:.1f}, {:,} / {:,}".format(
                        r["csv"]["bytes"] / 1e6, r["csv"]["rows"], r["csv"]["expected_rows"]
                    )
                    for r in results
                ],
            ),
            ("CSV worker RSS growth (peak)", [memory_cell(r["csv"]) for r in results]),
            ("XLSX download", [export_cell(r["xlsx"]) for r in results]),
            ("XLSX worker RSS growth (peak)", [memory_cell(r["xlsx"]) for r in results]),
            ("PDF download", [export_cell(r["pdf"]) for r in results]),
            ("PDF worker RSS growth (peak)", [memory_cell(r["pdf"]) for r in results]),
        ]
    return rows


def print_report(report: dict) -> None:
    """One table per run, then the ratios, then any failed export, loudly."""
    results = report["results"]
    print()
    print(
        f"Channel Voice over HTTP, {report['date']}: gunicorn -w {WORKERS} sync workers, "
        f"{WORKER_TIMEOUT_S} s timeout, {report['database']}; load average "
        f"{report['load_before']:.1f} before, {report['load_after']:.1f} after.\n"
        f"Pages: {report['requests']} sequential requests each, ms p50 / p95 / max; "
        f"throughput: {results[0]['board_throughput']['tool']} -t2 -c8 -d10s."
    )
    rows = table_rows(results)
    width = max(len(label) for label, _ in rows)
    cell = max(len(c) for _, cells in rows for c in cells) + 2
    print(f"{'':{width}}" + "".join(f"{'scale ' + str(r['scale']):>{cell}}" for r in results))
    for label, cells in rows:
        print(f"{label:{width}}" + "".join(f"{c:>{cell}}" for c in cells))
    print()
    for name, value in report["ratios"].items():
        print(f"{name}: {value}")
    for result in results:
        for kind in ("csv", "xlsx", "pdf"):
            export = result.get(kind)
            if export and not export["complete"]:
                print(
                    f"\n*** FAILED: {kind.upper()} export at scale {result['scale']}: "
                    + "; ".join(export["problems"])
                    + " ***",
                    file=sys.stderr,
                )


def run_inside_postgres(argv: list[str]) -> int:
    """Re-run this command under scripts/with-postgres.sh, which starts a throwaway server."""
    script = dataset.ROOT / "scripts" / "with-postgres.sh"
    env = {**os.environ, IN_POSTGRES: "1"}
    command = [str(script), sys.executable, "-m", "bench", "http", *argv]
    return subprocess.run(command, env=env, check=False).returncode  # noqa: S603


def measure(args: argparse.Namespace) -> dict:
    """Seed or reuse each scale's database, then measure every scale beside one hello-world app."""
    if args.postgres:
        server_url = os.environ["TEST_DATABASE_URL"]
        datasets = [dataset.postgres_dataset(server_url, scale) for scale in args.scales]
    else:
        datasets = [dataset.sqlite_dataset(scale) for scale in args.scales]
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure
    with gunicorn("bench.hello:app", "hello", ready_path="/") as hello:
        results = [
            measure_scale(ds, args.requests, not args.postgres, hello.base_url + "/")
            for ds in datasets
        ]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": "PostgreSQL" if args.postgres else "SQLite",
        "requests": args.requests,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "results": results,
        "ratios": ratios(results),
    }


def any_export_failed(report: dict) -> bool:
    """Whether any export came back incomplete."""
    return any(
        not result[kind]["complete"]
        for result in report["results"]
        for kind in ("csv", "xlsx", "pdf")
        if kind in result
    )


def main(argv: list[str]) -> int:
    """Run the HTTP benchmark; exit 2 when an export came back incomplete."""
    args = parse_args(argv)
    if args.postgres and not os.environ.get(IN_POSTGRES):
        return run_inside_postgres(argv)
    report = measure(args)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 2 if any_export_failed(report) else 0
