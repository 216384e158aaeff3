"""Django settings, read from the environment so that secrets never live in the code.

- LUPUSTRIAL_DATA_DIR: where the embedded SQLite database and collected static files live
  (default: ./var under the working directory).
- DATABASE_URL: a PostgreSQL URL for a multi-user deployment (SQLite when unset).
- LUPUSTRIAL_SECRET_KEY: the signing key; when unset, one is generated once and kept in
  LUPUSTRIAL_DATA_DIR/secret_key (readable by its owner only), which suits a single server.
- LUPUSTRIAL_DEBUG=1: Django's debug pages (never in production).
- LUPUSTRIAL_ALLOWED_HOSTS: comma-separated host names (default: loopback only).
- LUPUSTRIAL_SESSION_MINUTES: idle minutes before a session ends (default 30).
- LUPUSTRIAL_SECURE_COOKIES=1 behind HTTPS.
- LUPUSTRIAL_EMAIL: console (default: printed), file (.eml files in LUPUSTRIAL_DATA_DIR/mail)
  or smtp with LUPUSTRIAL_EMAIL_HOST, _PORT, _USER, _PASSWORD, _TLS=1 and LUPUSTRIAL_EMAIL_FROM
  (safety notifications, docs/safety.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("LUPUSTRIAL_DATA_DIR", Path.cwd() / "var")).resolve()

DEBUG = os.environ.get("LUPUSTRIAL_DEBUG") == "1"


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept beside the database."""
    if key := os.environ.get("LUPUSTRIAL_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50))
    key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"{path} holds too short a secret key")
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("LUPUSTRIAL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_htmx",
    "ninja",  # Swagger UI from its own static files, not from a CDN
    "lupustrial.edc.accounts",
    "lupustrial.edc.audit",
    "lupustrial.edc.study",
    "lupustrial.edc.safety",
    "lupustrial.edc.deviations",
    "lupustrial.edc.pharmacy",
    "lupustrial.edc.monitoring",
    "lupustrial.edc.api",
]

MIDDLEWARE = [
    "lupustrial.edc.errors.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files stay cacheable, every page and API answer is no-store.
    "lupustrial.edc.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lupustrial.edc.accounts.sessions.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lupustrial.edc.accounts.middleware.UserLanguageMiddleware",
    "lupustrial.edc.accounts.middleware.SiteTimeZoneMiddleware",
    "lupustrial.edc.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lupustrial.edc.accounts.backends.StudyBackend",
]

ROOT_URLCONF = "lupustrial.edc.urls"
WSGI_APPLICATION = "lupustrial.edc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lupustrial.edc.accounts.context.staff",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.config(conn_max_age=60, conn_health_checks=True)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "lupustrial.sqlite3"),
            # Writers wait for each other instead of failing at once under concurrent saves.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout (accounts/lockout.py): five failed logins for one user name from one address lock
# that name at that address for 30 minutes; twenty from one address, whatever the names, lock
# the address. A stranger cannot lock a user out from elsewhere, nor flood the audit trail.
AXES_FAILURE_LIMIT = int(os.environ.get("LUPUSTRIAL_LOCKOUT_FAILURES", "5"))
LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("LUPUSTRIAL_LOCKOUT_ADDRESS_FAILURES", "20"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "lupustrial.edc.accounts.lockout.AddressLimitHandler"
AXES_CLIENT_IP_CALLABLE = "lupustrial.edc.accounts.lockout.client_address"
# Attempts while locked neither extend the lock nor enter the audit trail.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
SILENCED_SYSTEM_CHECKS = [
    # HSTS for subdomains and the browsers' preload list: decisions for the owner of the
    # hospital's domain, which this application does not own.
    "security.W005",
    "security.W021",
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "edc/locked_out.html"
AXES_VERBOSE = False

# Django's database sessions, the row read by a statement written once (accounts.session_store).
SESSION_ENGINE = "lupustrial.edc.accounts.session_store"
SESSION_COOKIE_AGE = 60 * int(os.environ.get("LUPUSTRIAL_SESSION_MINUTES", "30"))
# The timeout counts idle time, not time since login: the session's expiry is pushed forward
# when it was last pushed a minute ago or more (accounts.sessions), not on every request.
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE = os.environ.get("LUPUSTRIAL_SECURE_COOKIES") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE
# Behind HTTPS (the documented reverse proxy): plain HTTP is redirected and browsers are told
# to use HTTPS only for a year. The proxy terminates TLS and must set X-Forwarded-Proto
# (overwriting any the client sent); without trusting it every request would look like plain
# HTTP and the redirect would loop.
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SECURE else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates in the reader's convention: ISO in English, 2026/12/06 in Japanese (formats/).
FORMAT_MODULE_PATH = ["lupustrial.edc.formats"]
USE_I18N = True
TIME_ZONE = "UTC"  # stored in UTC; pages show the sites' zone (SiteTimeZoneMiddleware)
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Served by WhiteNoise from the installed packages (htmx comes inside django-htmx), so the
# demo needs no collectstatic; production runs collectstatic and gets hashed, compressed files.
WHITENOISE_USE_FINDERS = not os.environ.get("LUPUSTRIAL_COLLECTED_STATIC")
if os.environ.get("LUPUSTRIAL_COLLECTED_STATIC"):
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lupustrial.edc.errors.RequestIdFilter"}},
    "formatters": {
        "request": {
            "format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s] %(message)s"
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "request",
        },
    },
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Every 500 (and 4xx warnings) with its request id, DEBUG or not (errors.py).
        "django.request": {"handlers": ["requests"], "level": "WARNING", "filters": ["request_id"]},
    },
}

# E-mail: the safety notifications (docs/safety.md). Printed by default; a folder of .eml
# files for a test server; SMTP in production.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_EMAIL = os.environ.get("LUPUSTRIAL_EMAIL", "console")
if _EMAIL not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(f"LUPUSTRIAL_EMAIL={_EMAIL!r}: one of console, file, smtp")
EMAIL_BACKEND = _EMAIL_BACKENDS[_EMAIL]
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("LUPUSTRIAL_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("LUPUSTRIAL_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("LUPUSTRIAL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LUPUSTRIAL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("LUPUSTRIAL_EMAIL_TLS") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("LUPUSTRIAL_EMAIL_FROM", "lupustrial@localhost")
