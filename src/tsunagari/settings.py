"""Django settings, read from the environment.

Environment variables:
- ``DATABASE_URL``: any URL dj-database-url understands; default SQLite file ``<data dir>/tsunagari.sqlite3``.
- ``TSUNAGARI_DATA_DIR``: folder for local state (SQLite file, generated secret key); default ``./var``.
- ``SECRET_KEY``: required in production; for local runs one is generated once and kept in the data dir.
- ``TSUNAGARI_DEBUG``: ``1``/``true`` turns debug on (off by default).
- ``TSUNAGARI_ALLOWED_HOSTS``: comma-separated host names; default ``127.0.0.1,localhost``.
- ``TSUNAGARI_STALE_AFTER_DAYS``: a directory entry not verified for this many days is "stale" (default 365).
- ``TSUNAGARI_TWILIO_AUTH_TOKEN``: the telephony provider's auth token, used to verify the
  ``X-Twilio-Signature`` of the helpline's voice webhooks; empty: every voice webhook is refused (403).
- ``TSUNAGARI_LINE_CHANNEL_SECRET``: the LINE channel secret (``X-Line-Signature``); empty: refused.
- ``TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN``: the LINE channel access token for the Reply and Push APIs;
  empty: replies stay in the outbox. ``TSUNAGARI_LINE_API_BASE``: the API's base URL (default
  ``https://api.line.me``). ``TSUNAGARI_LINE_SEND_INLINE``: ``1`` sends replies right away from the
  request that wrote them (else ``tsunagari helpline line-send --loop`` sends them).
- ``TSUNAGARI_CHAT_TRANSCRIPT_DAYS``: chat transcripts are deleted this many days after the chat
  closed (default 30; ``tsunagari helpline chat-purge``).
- ``TSUNAGARI_CALLBACK_HOURS``: a callback request not closed this many hours after it was made
  expires and its (encrypted) number is erased (default 24; ``tsunagari helpline chat-purge``).
- ``TSUNAGARI_PUBLIC_BASE_URL``: the public scheme and host the provider calls (e.g.
  ``https://tsunagari.example.jp``), when a proxy in front changes the URL the application sees;
  signatures are checked against this base + the request path. Empty: the request's own URL.
- ``TSUNAGARI_FIELD_KEYS``: field-encryption keys of case records, JSON
  ``{"active": ID, "keys": {ID: base64 of 32 bytes}}`` (see ``core.field_keys``); empty: the local
  key file ``<data dir>/field_keys.json`` that ``tsunagari setup`` creates for development.
- ``TSUNAGARI_RETENTION_YEARS``: JSON ``{record type: years}`` overriding the retention of case
  records (``cases.retention``; ``tsunagari cases purge``).
- ``TSUNAGARI_REFERRAL_OVERDUE_HOURS``: a referral with no answer for this long is overdue (default 72).
- ``TSUNAGARI_PRODUCTION``: ``1`` for a production deployment behind an HTTPS reverse proxy:
  ``SECRET_KEY`` required (50+ characters), HTTPS redirect, HSTS (``TSUNAGARI_HSTS_SECONDS``,
  default one year, with subdomains and preload), secure session, CSRF and language cookies; the
  proxy must set ``X-Forwarded-Proto`` (and drop any a client sent). ``manage.py check --deploy``
  passes with no warnings under it.
- ``TSUNAGARI_STAFF_IDLE_MINUTES``: a logged-in session idle this long is logged out (default 30);
  sessions also end when the browser closes.
- ``TSUNAGARI_LOCKOUT_FAILURES`` / ``TSUNAGARI_LOCKOUT_MINUTES``: failed logins per username and
  IP address before a lockout (default 5), and its length (default 30 minutes).
- ``TSUNAGARI_CONTENT_SECURITY_POLICY``: replaces the strict default policy (``core.security_headers``).
- E-mail (event confirmations, newsletters, overdue referrals): ``TSUNAGARI_EMAIL_HOST`` set → SMTP
  through it (``TSUNAGARI_EMAIL_PORT`` default 587, ``TSUNAGARI_EMAIL_USER``,
  ``TSUNAGARI_EMAIL_PASSWORD``, ``TSUNAGARI_EMAIL_TLS`` default on); unset → messages are written as
  files to ``<data dir>/mail/`` (nothing leaves the machine; a production deployment must set a
  host). ``TSUNAGARI_EMAIL_FROM``: the sender address.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from tsunagari.core import languages as product_languages

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TSUNAGARI_DATA_DIR", Path.cwd() / "var")).resolve()


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The configured SECRET_KEY, or one generated on first run and kept in the data dir."""
    configured = os.environ.get("SECRET_KEY")
    if configured:
        return configured
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = _env_flag("TSUNAGARI_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("TSUNAGARI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tsunagari.core",
    "tsunagari.directory",
    "tsunagari.navigator",
    "tsunagari.helpline",
    "tsunagari.survey",
    "tsunagari.network",
    "tsunagari.plan",
    "tsunagari.cases",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tsunagari.core.static_files.StaticFilesMiddleware",
    "tsunagari.core.security_headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tsunagari.core.two_factor_middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tsunagari.core.session_timeout.StaffIdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tsunagari.urls"
WSGI_APPLICATION = "tsunagari.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tsunagari.core.context_processors.languages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tsunagari.sqlite3'}"),
        # Persistent connections: opening one costs about 0.5 ms per request (see BENCHMARKS.md).
        conn_max_age=int(os.environ.get("TSUNAGARI_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        # Search reads index ranges of a file larger than SQLite's default 2 MB page cache: map it.
        " PRAGMA mmap_size=1073741824;"
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP statements: JIT compilation costs far more than it saves (see BENCHMARKS.md).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [(language.code, language.name) for language in product_languages.LANGUAGES]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves the apps' static files (CSS, JS; the CSP allows no inline ones) from the app
# folders, so no collectstatic step is needed; a collected STATIC_ROOT is served too.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# "same-origin", not "no-referrer": under no-referrer browsers send "Origin: null" with form posts and
# Django's CSRF check refuses every navigator turn (found by the browser tests). Other sites still
# get no referrer, and external links carry rel="noreferrer".
SECURE_REFERRER_POLICY = "same-origin"
# A strict Content-Security-Policy (core.security_headers); a non-empty value replaces it.
TSUNAGARI_CONTENT_SECURITY_POLICY = os.environ.get("TSUNAGARI_CONTENT_SECURITY_POLICY", "")

# Seconds a process keeps lists shown on every page (crisis lines) and navigator recommendations;
# a process that writes a service forgets them at once (see core.ttl_cache). 0 disables. Rendered
# pages and fragments are keyed by what they show and kept longer (core.page_cache).
TSUNAGARI_CACHE_SECONDS = float(os.environ.get("TSUNAGARI_CACHE_SECONDS", "30"))

# Seconds a process buffers the navigator's anonymous usage counts before writing them (also written
# when the process ends; see navigator.usage). 0 writes on every turn.
TSUNAGARI_USAGE_FLUSH_SECONDS = float(os.environ.get("TSUNAGARI_USAGE_FLUSH_SECONDS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TSUNAGARI_LOG_LEVEL", "WARNING")},
    # Staff data access (who looked at or changed what; ids only, never content).
    "loggers": {"tsunagari.audit": {"level": "INFO"}},
}

# Staff authentication (issue 5): Argon2 first (older PBKDF2 hashes still verify and are upgraded at
# login); TOTP second factor for roles that see personal data (core.two_factor).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
OTP_TOTP_ISSUER = "tsunagari"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout (core.lockout): failures per username + IP address, then a pause.
AXES_FAILURE_LIMIT = int(os.environ.get("TSUNAGARI_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("TSUNAGARI_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tsunagari.core.lockout.lockout_response"
AXES_CLIENT_STR_CALLABLE = "tsunagari.core.lockout.client_str"
# Sessions of logged-in users end after this many idle minutes (core.session_timeout) and when the
# browser closes.
TSUNAGARI_STAFF_IDLE_MINUTES = float(os.environ.get("TSUNAGARI_STAFF_IDLE_MINUTES", "30"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 60 * 60  # the server forgets any session after 12 hours
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/helpline/console/"
LOGOUT_REDIRECT_URL = "/"

TSUNAGARI_STALE_AFTER_DAYS = int(os.environ.get("TSUNAGARI_STALE_AFTER_DAYS", "365"))

# The unified line's provider webhooks (see the module docstring). Empty secrets refuse every request.
TSUNAGARI_TWILIO_AUTH_TOKEN = os.environ.get("TSUNAGARI_TWILIO_AUTH_TOKEN", "")
TSUNAGARI_LINE_CHANNEL_SECRET = os.environ.get("TSUNAGARI_LINE_CHANNEL_SECRET", "")
TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN = os.environ.get("TSUNAGARI_LINE_CHANNEL_ACCESS_TOKEN", "")
TSUNAGARI_LINE_API_BASE = os.environ.get("TSUNAGARI_LINE_API_BASE", "https://api.line.me").rstrip("/")
TSUNAGARI_LINE_SEND_INLINE = _env_flag("TSUNAGARI_LINE_SEND_INLINE")
TSUNAGARI_CHAT_TRANSCRIPT_DAYS = int(os.environ.get("TSUNAGARI_CHAT_TRANSCRIPT_DAYS", "30"))
TSUNAGARI_CALLBACK_HOURS = float(os.environ.get("TSUNAGARI_CALLBACK_HOURS", "24"))
TSUNAGARI_PUBLIC_BASE_URL = os.environ.get("TSUNAGARI_PUBLIC_BASE_URL", "").rstrip("/")

# Case records (issue 5): field-encryption keys, retention, referral deadlines.
TSUNAGARI_FIELD_KEYS = os.environ.get("TSUNAGARI_FIELD_KEYS", "")
TSUNAGARI_FIELD_KEYS_FILE = DATA_DIR / "field_keys.json"
TSUNAGARI_RETENTION_YEARS = os.environ.get("TSUNAGARI_RETENTION_YEARS", "")
TSUNAGARI_REFERRAL_OVERDUE_HOURS = float(os.environ.get("TSUNAGARI_REFERRAL_OVERDUE_HOURS", "72"))

# E-mail (see the module docstring): SMTP when a host is configured, else files in the data dir.
EMAIL_HOST = os.environ.get("TSUNAGARI_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("TSUNAGARI_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("TSUNAGARI_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("TSUNAGARI_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _env_flag("TSUNAGARI_EMAIL_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("TSUNAGARI_EMAIL_FROM", "tsunagari@localhost")

# Production (TSUNAGARI_PRODUCTION=1, see the module docstring): HTTPS only, behind a reverse proxy.
TSUNAGARI_PRODUCTION = _env_flag("TSUNAGARI_PRODUCTION")
if TSUNAGARI_PRODUCTION:
    if len(os.environ.get("SECRET_KEY", "")) < 50:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("TSUNAGARI_PRODUCTION needs SECRET_KEY (50 or more random characters)")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("TSUNAGARI_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True
