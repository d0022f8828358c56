"""Settings, all from the environment (see README "Configuration")."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LEADCRM_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """The configured key, else one generated once and kept under var/ so sessions survive."""
    configured = os.environ.get("LEADCRM_SECRET_KEY")
    if configured:
        return configured
    key_file = VAR_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(50)
    try:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(key)
        key_file.chmod(0o600)
    except OSError:
        # A read-only checkout still runs; sessions just do not outlive the process.
        pass
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("LEADCRM_DEBUG", False)
ALLOWED_HOSTS = _env_list("LEADCRM_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("LEADCRM_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leads",
]

MIDDLEWARE = [
    "leads.headers.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files and the web app's assets carry the header too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # WhiteNoise plus the web app's hashed assets (leads/web.py).
    "leads.web.WebAppStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Innermost: it sees what views raise and what Django answers for /api/ itself.
    "leads.api.middleware.ApiBoundaryMiddleware",
]

ROOT_URLCONF = "lead_crm.urls"
WSGI_APPLICATION = "lead_crm.wsgi.application"
# What `manage.py serve` runs (gunicorn with uvicorn workers): see lead_crm/asgi.py.
ASGI_APPLICATION = "lead_crm.asgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

# No SQL database: everything lives in MongoDB, sessions in signed cookies.
DATABASES: dict[str, dict[str, str]] = {}
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("LEADCRM_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = int(os.environ.get("LEADCRM_SESSION_HOURS", "12")) * 3600

# Security headers on every response. Only the service's own scripts, styles, fonts and API;
# images may also be inline `data:` URLs (the favicon, the docs' icons). Nothing may frame it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browsers heed HSTS only over HTTPS, so Django sends it on secure requests only.
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0

BEHIND_PROXY = _env_bool("LEADCRM_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Served from the apps' static folders through WhiteNoise's finders: no collectstatic step.
WHITENOISE_USE_FINDERS = True

# The built web app (`make run` builds it): `index.html` for every client route, `assets/` by
# WhiteNoise. Vite names assets `<name>-<8-character base64url hash>.<ext>`: those are cached
# for good (`immutable`); anything else keeps WhiteNoise's short max-age.
LEADCRM_WEB_APP_DIR = Path(os.environ.get("LEADCRM_WEB_APP_DIR", BASE_DIR / "frontend" / "dist"))
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/assets/.+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$"

# Requests larger than this are refused with 413 before they are parsed.
MAX_BODY_BYTES = int(os.environ.get("LEADCRM_MAX_BODY_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

LEADCRM_MONGO_URI = os.environ.get("LEADCRM_MONGO_URI", "")
LEADCRM_MONGO_DB = os.environ.get("LEADCRM_MONGO_DB", "leadcrm")
# How long one request may wait for MongoDB in all (client-side), well under gunicorn's 30 s
# worker timeout: a stalled database answers 503 instead of a killed worker.
LEADCRM_MONGO_TIMEOUT_MS = int(os.environ.get("LEADCRM_MONGO_TIMEOUT_MS", "8000"))
# A worker renews the lease on its job every third of this; a job whose worker died is taken
# over by another worker this long after its last renewal.
LEADCRM_JOB_LEASE_SECONDS = float(os.environ.get("LEADCRM_JOB_LEASE_SECONDS", "30"))
LEADCRM_TOKEN_TTL_HOURS = int(os.environ.get("LEADCRM_TOKEN_TTL_HOURS", str(24 * 7)))
# Sign-in throttling: this many failures in the window for one username (or from one client
# address) refuse further attempts with 429 until the window ends.
LEADCRM_LOGIN_MAX_FAILURES_PER_USER = int(
    os.environ.get("LEADCRM_LOGIN_MAX_FAILURES_PER_USER", "10")
)
LEADCRM_LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("LEADCRM_LOGIN_MAX_FAILURES_PER_ADDRESS", "50")
)
LEADCRM_LOGIN_WINDOW_MINUTES = int(os.environ.get("LEADCRM_LOGIN_WINDOW_MINUTES", "15"))
# How long audit entries are kept; MongoDB drops older ones (a TTL index on each entry's own
# expiry, so a new value applies to entries written from then on).
LEADCRM_AUDIT_RETENTION_DAYS = int(os.environ.get("LEADCRM_AUDIT_RETENTION_DAYS", "365"))
# Event streams (GET /api/events/): a comment line this often keeps proxies from closing an
# idle stream; each server process reads new events this often, once for all its streams.
LEADCRM_EVENTS_HEARTBEAT_SECONDS = float(os.environ.get("LEADCRM_EVENTS_HEARTBEAT_SECONDS", "15"))
LEADCRM_EVENTS_POLL_SECONDS = float(os.environ.get("LEADCRM_EVENTS_POLL_SECONDS", "0.25"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "leads.api.auth.BearerTokenAuthentication",
        "leads.api.auth.CookieSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["leads.api.permissions.CanReadLeads"],
    "DEFAULT_PARSER_CLASSES": ["leads.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "leads.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Lead CRM API",
    "DESCRIPTION": "Leads in one configurable pipeline: stages, custom fields, tasks, history.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "leads.api.openapi.document_database_unavailable",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LEADCRM_LOG_LEVEL", "INFO")},
}
