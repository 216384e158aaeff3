"""`lupustrial web`: run the study's web application and create its first users."""

from __future__ import annotations

from typing import Annotated

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import InputError, setup_web_app

web = typer.Typer(help="Run the study's web application (Django).", no_args_is_help=True)
app.add_typer(web, name="web")

AddressOption = Annotated[
    str, typer.Option("--address", help="host:port to serve on (loopback by default).")
]


def _django() -> None:

    setup_web_app()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


@web.command()
def demo(
    address: AddressOption = "127.0.0.1:8000",
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="Serve it now; --no-serve only creates the database and loads the demo.",
        ),
    ] = True,
) -> None:
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
    if serve:
        logins = f"demo logins (password {DEMO_PASSWORD})"
        typer.echo(f"\nlupustrial is at http://{address}/  — {logins}:")
    else:
        typer.echo(
            "\nThe demo study is ready; serve it with `lupustrial web serve`"
            f" — demo logins (password {DEMO_PASSWORD}):"
        )
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


@web.command("add-user")
def add_user(
    username: Annotated[str, typer.Argument(help="The login name.")],
    role: Annotated[
        str,
        typer.Option(
            help="investigator, coordinator, data_manager, monitor, statistician or administrator."
        ),
    ],
    reason: Annotated[
        str,
        typer.Option(help="Why the account is created (recorded in the audit trail)."),
    ],
    site: Annotated[
        list[str] | None, typer.Option(help="A site code the user works at (repeatable).")
    ] = None,
    full_name: Annotated[str, typer.Option(help="First and last name, for signatures.")] = "",
    own_password: Annotated[
        bool,
        typer.Option(
            "--own-password",
            help="The user types their own password now; otherwise it must be changed at the "
            "first sign-in.",
        ),
    ] = False,
) -> None:
    """Create a user with a study role (the first administrator, on a new deployment).

    The password is asked for twice and checked against the password rules; sites that do
    not exist yet are created with their code as name (rename them in /admin/). The audit
    trail names the operating-system account that ran the command.
    """
    import getpass

    _django()
    _migrate()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from lupustrial.edc.accounts import services
    from lupustrial.edc.accounts.roles import Role

    if role not in Role.values:
        raise InputError(f"unknown role {role!r} (known: {', '.join(Role.values)})")
    if not reason.strip():
        raise InputError("--reason must say why the account is created")
    if get_user_model().objects.filter(username=username).exists():
        raise InputError(f"user {username!r} exists already")
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        validate_password(password, get_user_model()(username=username))
    except ValidationError as error:
        raise InputError("; ".join(error.messages)) from error
    actor = f"console:{getpass.getuser()}"
    try:
        services.create_account(
            actor,
            username,
            password,
            role,
            site or [],
            reason,
            full_name=full_name,
            own_password=own_password,
        )
    except services.AdministrationError as error:
        raise InputError(str(error)) from error
    later = "" if own_password else "; the password must be changed at the first sign-in"
    typer.echo(f"created {username} ({role}){later}")
