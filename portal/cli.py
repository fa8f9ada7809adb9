"""Command-line interface: `flask --app wsgi <command>`."""

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.auth.services import create_user
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Organisation, Role


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the demo organisations, accounts and content (safe to run again)."""
    from portal.seed.demo import seed_demo

    created = seed_demo()
    if not any(created.values()):
        click.echo("Demo data already present: nothing changed.")
        return
    summary = ", ".join(f"{count} {name}" for name, count in created.items() if count)
    click.echo(f"Demo data loaded: {summary}. Log in with password 'demo-password'.")


@click.command("release-figures")
@with_appcontext
def release_figures_command():
    """Roll up every requirement's votes and release the figures that are due (after upgrades)."""
    from portal import privacy

    released = privacy.refresh()
    db.session.commit()
    click.echo(f"Released {released} sets of figures.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--org", "org_slug", help="Slug of the user's organisation.")
@click.option("--name", "display_name", help="Display name (default: the e-mail's local part).")
@click.option("--manager", is_flag=True, help="Partner only: make the user an org manager.")
@click.password_option(help="Password (asked for when not given).")
def create_user_command(email, role, org_slug, display_name, manager, password):
    """Create an account directly, e.g. the first administrator."""
    organisation = None
    if org_slug:
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        if organisation is None:
            raise click.ClickException(f"No organisation with slug {org_slug!r}.")
    if len(password) < 10:
        raise click.ClickException("The password needs at least 10 characters.")
    try:
        user = create_user(
            email, Role(role), display_name or email.split("@")[0], password, organisation, manager
        )
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}.")


@click.command("send-mail")
@with_appcontext
def send_mail_command():
    """Send queued notification e-mails by SMTP (needs MAIL_SERVER); run it from cron."""
    from flask import current_app

    from portal.notify import MailServerUnavailable, send_pending

    if not current_app.config["MAIL_SERVER"]:
        raise click.ClickException("MAIL_SERVER is not set: messages stay in the outbox.")
    try:
        run = send_pending()
    except MailServerUnavailable as error:
        server = f"{current_app.config['MAIL_SERVER']}:{current_app.config['MAIL_PORT']}"
        raise click.ClickException(
            f"The mail server {server} is unavailable ({error.reason}). Sent {error.run.sent} "
            f"message(s); {error.run.waiting} stay queued for the next run."
        ) from None
    click.echo(
        f"Sent {run.sent} message(s); {run.failed} failed; {run.waiting} deferred by the server "
        "stay queued."
    )
    if run.failed:
        raise SystemExit(1)


@click.command("send-webhooks")
@with_appcontext
def send_webhooks_command():
    """Post due webhook deliveries (signed; failures retried later with backoff); run from cron."""
    from portal.webhooks.delivery import send_due

    run = send_due()
    click.echo(
        f"Delivered {run.sent} webhook(s); {run.retrying} will be retried; {run.failed} gave up."
    )


@click.command("import-revenue")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--org", "org_slug", required=True, help="Slug of the partner organisation.")
@with_appcontext
def import_revenue_command(file: Path, org_slug: str):
    """Import a revenue CSV or XLSX for an organisation, all or nothing.

    Exits 0 on success; otherwise prints every problem, one per line, and changes nothing.
    """
    from portal.revenue import services as revenue

    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if organisation is None or organisation.kind.value != "partner":
        raise click.ClickException(f"No partner organisation with slug {org_slug!r}.")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise click.ClickException(f"Cannot read {file}: {error.strerror}.") from None
    parsed = revenue.parse_upload(file.name, data)
    if not parsed.ok:
        for problem in parsed.problems:
            where = ", ".join(
                part
                for part in (
                    f"row {problem.row}" if problem.row else "",
                    f"column {problem.column}" if problem.column else "",
                )
                if part
            )
            click.echo(f"{file.name}: {where + ': ' if where else ''}{problem.message}", err=True)
        click.echo(f"Nothing imported: {len(parsed.problems)} problem(s).", err=True)
        raise SystemExit(1)
    counts = revenue.apply_import(None, organisation, parsed.rows, f"cli:{file.name}")
    click.echo(f"{organisation.name}: {revenue.import_summary(counts)}")


@click.command("send-digests")
@with_appcontext
def send_digests_command():
    """Queue the weekly digest for vendor users who opted in (run it weekly from cron)."""
    from portal.reports.digest import send_digests

    click.echo(f"Queued {send_digests()} digest(s).")


@click.command("seed-bench")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 100))
@with_appcontext
def seed_bench_command(scale: int):
    """Add synthetic benchmark data: per unit of scale 1,000 requirements and 30,000 votes."""
    import time

    from portal.seed.bench import STEPS, seed_bench

    started = time.perf_counter()
    with click.progressbar(
        length=len(STEPS), label="Seeding", item_show_func=lambda step: step, file=sys.stderr
    ) as bar:

        def starting(step: str) -> None:
            bar.update(0 if bar.current_item is None else 1, step)

        created = seed_bench(scale, progress=starting)
        bar.update(1)
    summary = ", ".join(f"{count:,} {name}" for name, count in created.items())
    click.echo(f"Created {summary} in {time.perf_counter() - started:.1f} s.")


@click.command("import-mail")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_mail_command(file: Path):
    """Import an .eml or .mbox file into the editor's inbox, all or nothing."""
    from portal.inbox import services as inbox

    try:
        data = file.read_bytes()
    except OSError as error:
        raise click.ClickException(f"Cannot read {file}: {error.strerror}.") from None
    try:
        result = inbox.import_mail(None, data)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: {error.message}") from None
    click.echo(f"Imported {result.imported} e-mail(s); {result.duplicates} already in the inbox.")


@click.command("fetch-mail")
@with_appcontext
def fetch_mail_command():
    """Import the unseen messages of the IMAP folder INBOX_IMAP_URL names (run it from cron)."""
    from flask import current_app

    from portal.inbox import services as inbox

    url = current_app.config.get("INBOX_IMAP_URL")
    if not url:
        raise click.ClickException("Set INBOX_IMAP_URL, e.g. imaps://user:password@host/INBOX.")
    try:
        result, problems = inbox.fetch_mail(url)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    for problem in problems:
        click.echo(f"Skipped: {problem}", err=True)
    click.echo(f"Imported {result.imported} e-mail(s); {result.duplicates} already in the inbox.")


def register(app: Flask) -> None:
    """Attach the commands to the app."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(release_figures_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_webhooks_command)
    app.cli.add_command(import_revenue_command)
    app.cli.add_command(send_digests_command)
    app.cli.add_command(seed_bench_command)
    app.cli.add_command(import_mail_command)
    app.cli.add_command(fetch_mail_command)
