"""`lupustrial web` and `lupustrial audit`: run the study's web application, check its trail."""

from __future__ import annotations

from typing import Annotated

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import InputError

web = typer.Typer(help="Run the study's web application (Django).", no_args_is_help=True)
audit = typer.Typer(help="Check and export the audit trail.", no_args_is_help=True)
app.add_typer(web, name="web")
app.add_typer(audit, name="audit")

AddressOption = Annotated[
    str, typer.Option("--address", help="host:port to serve on (loopback by default).")
]


def _django() -> None:
    from lupustrial.edc import setup

    setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@web.command()
def demo(address: AddressOption = "127.0.0.1:8000", serve: bool = True) -> None:
    """Create the database, load the demo study if it is empty, and serve it.

    The data live in ./var (LUPUSTRIAL_DATA_DIR). Every demo user's password is printed.
    """
    _django()
    typer.echo("Preparing the database…", err=True)
    _migrate()
    from lupustrial.edc.accounts.models import Site
    from lupustrial.edc.demo import DEMO_PASSWORD, DEMO_USERS, load_demo

    if not Site.objects.exists():
        typer.echo("Loading the demo study (two sites, one user per role)…", err=True)
        load_demo()
    typer.echo(f"\nlupustrial is at http://{address}/  — demo logins (password {DEMO_PASSWORD}):")
    for username, name, role, sites in DEMO_USERS:
        where = ", ".join(sites) or ("all sites" if role == "data_manager" else "no site")
        typer.echo(f"  {username:<13} {role:<14} {name} ({where})")
    if serve:
        _runserver(address)


@web.command()
def serve(address: AddressOption = "127.0.0.1:8000") -> None:
    """Apply migrations and serve with Django's own server (use gunicorn in production)."""
    _django()
    _migrate()
    _runserver(address)


def _runserver(address: str) -> None:
    from django.core.management import call_command

    typer.echo("Press Ctrl+C to stop.", err=True)
    call_command("runserver", address, use_reloader=False)


@audit.command()
def verify() -> None:
    """Walk the hash chain and report any altered, inserted or removed entry (exit 1 if so)."""
    _django()
    from django.db import DatabaseError

    from lupustrial.edc.audit.trail import verify_chain

    try:
        report = verify_chain()
    except DatabaseError as error:
        raise InputError(
            f"cannot read the audit trail ({error}); has the database been created "
            "(lupustrial web demo or lupustrial web serve)?"
        ) from error
    for line in report.lines():
        typer.echo(line)
    if not report.intact:
        raise typer.Exit(1)
