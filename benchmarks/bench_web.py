"""Benchmark: latency and throughput of the web application under concurrent users.

Not a test. Starts gunicorn on a fresh PostgreSQL database loaded with the demo study, then
runs concurrent clients (threads, each with its own login session) for a while. Each client
owns one visit and repeats: save that visit's vital-signs form, open its subject's page, open
the login page (a trivial endpoint measured the same way, the baseline of the server and the
client themselves). Prints p50/p95 latency and throughput per endpoint, and their ratio.

    .venv/bin/python benchmarks/bench_web.py [--seconds 20] [--clients 20] [--workers 4]
        [--via page|api] [--database-url postgresql://postgres@127.0.0.1:5432/lupustrial_bench]

The database named in --database-url is DROPPED and created again on every run. Only the
standard library is used on the client side (urllib + http.cookiejar); gunicorn's sync
workers close the connection after each response, so every request opens a new TCP
connection, on the form save and on the baseline alike. docs/web.md explains the numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import math
import os
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/lupustrial_bench"
TARGET_P95_MS = 100.0
USERNAME = "coordinator"  # Tokyo site: may enter data for the subjects prepared below
PASSWORD = "lupus-demo-2026"  # the demo's (lupustrial.edc.demo.DEMO_PASSWORD)
SAVE = "form save"
SUBJECT = "subject page"
TRIVIAL = "GET /login/"


# -- the database and the server --------------------------------------------------------------


def fresh_database(url: str) -> None:
    """Drop and create the database named in ``url`` (connecting to the 'postgres' one)."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to drop database {name!r}")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _executable(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else name


def load_demo(env: dict[str, str]) -> None:
    """Migrate and load the demo study the documented way."""
    subprocess.run(
        [_executable("lupustrial"), "web", "demo", "--no-serve"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass
class Prepared:
    """The visit each client saves to, its subject's page, and the CRF post builder."""

    visits: list[tuple[int, int]]  # (visit pk, subject pk)
    vitals_fields: list[str]


def prepare_subjects(env: dict[str, str], clients: int) -> Prepared:
    """Enrol enough Tokyo subjects, their past visits entered, for one visit per client."""
    os.environ.update(env)
    from lupustrial.edc import setup

    setup()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.utils import timezone

    from lupustrial.edc.accounts.models import Site
    from lupustrial.edc.demo import _complete_visit, _enrolled, _visit_forms
    from lupustrial.edc.study.models import Visit, VisitStatus

    users = get_user_model().objects
    investigator, coordinator = (
        users.get(username="investigator"),
        users.get(username="coordinator"),
    )
    tokyo = Site.objects.get(code="TKY")
    first_dose = timezone.localdate() - dt.timedelta(weeks=12, days=1)
    done = Visit.objects.filter(subject__site=tokyo, status=VisitStatus.DONE)
    number = 500
    while done.count() < clients:
        number += 1
        subject = _enrolled(investigator, tokyo, f"S-{number}", f"Bench {number}", first_dose)
        taper = {"W0": (30, True), "W4": (20, True), "W8": (10, False), "W12": (5, False)}
        for visit in subject.visits.all():
            mg, active = taper[visit.code]
            _complete_visit(coordinator, visit, _visit_forms(int(visit.code[1:]), mg, active))
    visits = [(v.pk, v.subject_id) for v in done.order_by("subject_id", "planned_date")]
    from lupustrial.edc.study.crfs import CRF_BY_CODE
    from lupustrial.edc.study.schema_forms import FormPlan

    crf = CRF_BY_CODE["vitals"]
    fields = list(FormPlan(crf.model, exclude=crf.exclude).fields)
    connections.close_all()
    return Prepared(visits=visits, vitals_fields=fields)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> Iterator[str]:
    """gunicorn serving the app; stopped (by its process id) whatever happens."""
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "lupustrial.edc.wsgi"),
                *("-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60"),
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(signum: int | None = None, frame: FrameType | None = None) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group this script started
                process.wait()
        if signum is not None:
            raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({process.returncode}); see {log}")
            try:
                with urllib.request.urlopen(f"{base}/login/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer within 30 s; see {log}")
            time.sleep(0.2)
        yield base
    finally:
        stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# -- the clients ------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 302 after a save is the answer, not a page to fetch (the browser's next request)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Samples:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, ok: bool) -> None:
        with self.lock:
            if ok:
                self.latencies.setdefault(name, []).append(seconds)
            else:
                self.errors[name] = self.errors.get(name, 0) + 1


class Client:
    """One user's browser session: cookies, CSRF token, and the visit it keeps saving."""

    def __init__(
        self,
        base: str,
        visit: int,
        subject: int,
        via: str,
        fields: list[str],
        think_seconds: float = 0.0,
    ) -> None:
        self.base, self.visit, self.subject, self.via = base, visit, subject, via
        self.fields = fields
        self.think_seconds = think_seconds
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.version = 0
        self.saves = 0

    def csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def request(
        self,
        path: str,
        data: bytes | None = None,
        method: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            body = error.read()
            error.close()
            return error.code, body

    def log_in(self) -> None:
        self.request("/login/")
        form = {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()}
        status, body = self.request("/login/", urllib.parse.urlencode(form).encode())
        if status != 302:
            raise RuntimeError(f"login failed ({status}): {body[:300]!r}")
        self.read_version()

    def read_version(self) -> None:
        status, body = self.request(f"/api/visits/{self.visit}/forms/vitals")
        if status != 200:
            raise RuntimeError(f"reading the form failed ({status}): {body[:300]!r}")
        self.version = int(json.loads(body)["version"])

    def vitals(self) -> dict[str, Any]:
        """A new weight and temperature on every save: a real change, with its audit entries."""
        self.saves += 1
        return {
            "temperature": {"value": round(36.0 + (self.saves % 20) / 10, 1), "unit": "°C"},
            "body_weight": {"value": round(55 + (self.saves % 100) / 10, 1), "unit": "kg"},
            "systolic_mmhg": 110 + self.saves % 30,
            "diastolic_mmhg": 70 + self.saves % 15,
        }

    def save(self) -> tuple[bool, bool]:
        """Save the vitals form; (succeeded, was a version conflict)."""
        data = self.vitals()
        reason = "benchmark re-entry" if self.version else ""
        if self.via == "api":
            payload = json.dumps({"data": data, "version": self.version, "reason": reason})
            status, body = self.request(
                f"/api/visits/{self.visit}/forms/vitals",
                payload.encode(),
                method="PUT",
                headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf()},
            )
            if status == 200:
                self.version = int(json.loads(body)["version"])
                return True, False
            return False, status == 409
        form = {
            "temperature.value": data["temperature"]["value"],
            "temperature.unit": "°C",
            "body_weight.value": data["body_weight"]["value"],
            "body_weight.unit": "kg",
            "systolic_mmhg": data["systolic_mmhg"],
            "diastolic_mmhg": data["diastolic_mmhg"],
            "version": self.version,
            "reason": reason,
            "csrfmiddlewaretoken": self.csrf(),
        }
        unknown = set(form) - {*self.fields, "version", "reason", "csrfmiddlewaretoken"}
        assert not unknown, unknown
        status, body = self.request(
            f"/visits/{self.visit}/forms/vitals/", urllib.parse.urlencode(form).encode()
        )
        if status == 302:
            self.version += 1
            return True, False
        return False, b"saved this form since you opened it" in body

    def think(self) -> None:
        if self.think_seconds:
            time.sleep(random.uniform(0.5, 1.5) * self.think_seconds)

    def cycle(self, samples: Samples | None) -> None:
        self.think()
        started = time.perf_counter()
        ok, conflict = self.save()
        elapsed = time.perf_counter() - started
        if conflict:
            self.read_version()  # someone else saved this visit: re-read, as a user would
        if samples is not None:
            samples.add(SAVE, elapsed, ok)
            if conflict:
                with samples.lock:
                    samples.conflicts += 1
        for name, path in ((SUBJECT, f"/subjects/{self.subject}/"), (TRIVIAL, "/login/")):
            self.think()
            started = time.perf_counter()
            status, _ = self.request(path)
            elapsed = time.perf_counter() - started
            if samples is not None:
                samples.add(name, elapsed, status == 200)


def run_clients(clients: list[Client], seconds: float) -> tuple[Samples, float]:
    samples = Samples()
    window = [0.0, 0.0]  # start, deadline: set as the barrier opens, before any client runs

    def open_window() -> None:
        window[0] = time.monotonic()
        window[1] = window[0] + seconds

    start = threading.Barrier(len(clients) + 1, action=open_window)
    failures: list[BaseException] = []

    def work(client: Client) -> None:
        try:
            client.log_in()
            client.cycle(None)  # warm-up, not measured
            start.wait()
            while time.monotonic() < window[1]:
                client.cycle(samples)
        except BaseException as problem:
            failures.append(problem)
            start.abort()

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        for thread in threads:
            thread.join(timeout=5)
        raise SystemExit(f"a client failed before the run: {failures[0]!r}") from None
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - window[0]
    if failures:
        raise SystemExit(f"a client failed: {failures[0]!r}")
    return samples, elapsed


# -- the report -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


def report(samples: Samples, elapsed: float, args: argparse.Namespace, visits: int) -> str:
    database = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
    lines = [
        f"gunicorn -w {args.workers} on PostgreSQL ({database}), "
        f"{os.cpu_count()} CPUs; {args.clients} clients (threads, urllib) on {visits} visits; "
        f"form saves via {args.via}; think time {args.think:g} s; measured {elapsed:.1f} s",
        "",
        f"{'endpoint':<14} {'n':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'errors':>6}",
    ]
    stats: dict[str, tuple[float, float]] = {}
    for name in (SAVE, SUBJECT, TRIVIAL):
        values = samples.latencies.get(name, [])
        p50, p95 = percentile(values, 50), percentile(values, 95)
        stats[name] = (p50, p95)
        worst = max(values, default=math.nan) * 1000
        lines.append(
            f"{name:<14} {len(values):>6} {len(values) / elapsed:>7.1f} {p50:>8.1f} {p95:>8.1f} "
            f"{percentile(values, 99):>8.1f} {worst:>8.1f} {samples.errors.get(name, 0):>6}"
        )
    total = sum(len(v) for v in samples.latencies.values())
    lines.append(f"{'all':<14} {total:>6} {total / elapsed:>7.1f}")
    base50, base95 = stats[TRIVIAL]
    lines.append("")
    for name in (SAVE, SUBJECT):
        p50, p95 = stats[name]
        lines.append(f"{name} / {TRIVIAL}: p50 ×{p50 / base50:.1f}, p95 ×{p95 / base95:.1f}")
    if samples.conflicts:
        lines.append(f"version conflicts (409, re-read and retried): {samples.conflicts}")
    p95 = stats[SAVE][1]
    verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
    lines.append(f"target p95 form save < {TARGET_P95_MS:.0f} ms: {verdict} ({p95:.1f} ms)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured duration")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--via",
        choices=("page", "api"),
        default="page",
        help="save through the HTML form (POST, 302) or the JSON API (PUT)",
    )
    parser.add_argument(
        "--database-url", default=DEFAULT_URL, help="PostgreSQL database (dropped and created)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a client waits before each request (0: back to back, saturating)",
    )
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: free)")
    args = parser.parse_args()
    if args.clients < 1 or args.seconds <= 0 or args.think < 0:
        parser.error("--clients must be ≥ 1, --seconds > 0 and --think ≥ 0")

    with tempfile.TemporaryDirectory(prefix="lupustrial-bench-") as data_dir:
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url,
            "LUPUSTRIAL_DATA_DIR": data_dir,
            "LUPUSTRIAL_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SETTINGS_MODULE": "lupustrial.edc.settings",
        }
        env.pop("LUPUSTRIAL_DEBUG", None)
        print(f"Preparing {args.database_url} (dropped, migrated, demo loaded)…", file=sys.stderr)
        fresh_database(args.database_url)
        load_demo(env)
        prepared = prepare_subjects(env, args.clients)
        port = args.port or free_port()
        log = Path(data_dir) / "gunicorn.log"
        with gunicorn(env, port, args.workers, log) as base:
            print(
                f"gunicorn at {base}; {args.clients} clients for {args.seconds:g} s…",
                file=sys.stderr,
            )
            clients = [
                Client(
                    base,
                    *prepared.visits[i % len(prepared.visits)],
                    args.via,
                    prepared.vitals_fields,
                    args.think,
                )
                for i in range(args.clients)
            ]
            load = os.getloadavg()[0]
            cpu_before = resource.getrusage(resource.RUSAGE_SELF)
            samples, elapsed = run_clients(clients, args.seconds)
            cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = sum(
            getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime")
        )
        print(report(samples, elapsed, args, len({c.visit for c in clients})))
        print(
            f"machine load average before the run: {load:.1f} on {os.cpu_count()} CPUs; "
            f"the clients themselves used {client_cpu / elapsed:.0%} of one CPU"
        )


if __name__ == "__main__":
    main()
