"""Settings for the Pingcheng civic-news platform.

All configuration comes from the environment, read here and nowhere else. The embedded default (no
variable set) runs on SQLite, a local-memory cache and Celery on Kombu's filesystem transport; production
sets DATABASE_URL (PostgreSQL) and REDIS_URL. The README lists every variable with its default.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse as _reverse
from django.utils.translation import gettext_lazy as _

from pingcheng import editor_config
from pingcheng.cache_backends import redis_cache_config
from pingcheng.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

_INSECURE_DEV_KEY = "django-insecure-pingcheng-embedded-development-key-do-not-deploy"
SECRET_KEY = env_str("SECRET_KEY") or (_INSECURE_DEV_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _INSECURE_DEV_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off. "
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_ckeditor_5",
    "auditlog",
    "pingcheng",
    "pingcheng.directory",
    "pingcheng.photos",
    "pingcheng.notices",
    "pingcheng.alerts",
    "pingcheng.audit",
    "articles",
    "campaigns",
    "grievances",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # NUL, non-UTF-8 and too many fields get a 400 before anything below reads or stores the request.
    "pingcheng.request_guard.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous public pages straight from the cache, before sessions, CSRF and the view (pingcheng/page_cache.py).
    "pingcheng.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: LANGUAGES has zh-hans only, so it chose that language for every request, at 3 % of an
    # uncached page's time, and made every response vary on Accept-Language. Add it with a second language.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Names the logged-in user as the actor of the audit log entries a request writes (pingcheng.audit).
    "pingcheng.audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pingcheng.accounts.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pingcheng.csp.SiteCSPMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during authentication into the login page's answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pingcheng.urls"
WSGI_APPLICATION = "pingcheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pingcheng.context_processors.site",
                "pingcheng.display_mode.display_mode_context",
            ],
            # Every <time datetime> prints its value through it: a builtin rather than a load in every template.
            "builtins": ["pingcheng.templatetags.machine_time"],
        },
    },
]

# Database: a SQLite file unless DATABASE_URL says otherwise (postgres://… in production and CI).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write to the same file: WAL lets readers go on while one
    # writes, IMMEDIATE takes the write lock up front so two writers queue instead of deadlocking.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django turns psycopg's prepared statements off (prepare_threshold None) for poolers such as PgBouncer's
    # transaction mode, which this deployment does not use. No query is prepared by count (the threshold is
    # never reached); the few reads every public page makes ask for it (``PreparedQuery(server_prepared=True)``).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME", "") or None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The live-article indexes carry unpublish_at as a non-key column (INCLUDE) so that PostgreSQL answers deep list
# pages index-only; SQLite builds the same index without it, which is all the embedded default needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Redis serves the cache and the Celery broker when REDIS_URL is set. The cache fails open (a Redis outage
# makes every read a miss): see pingcheng/cache_backends.py for the backend and why.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": redis_cache_config(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pingcheng"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Whole public pages in the cache (pingcheng/page_cache.py); off only to measure the uncached pages.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", True)
# The rate limiter counts in the cache; when the cache is down it lets requests through rather than
# refusing everyone (the permission checks still apply).
RATELIMIT_FAIL_OPEN = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): the first backend refuses a locked-out account or address before the password
# is even checked. Failures are counted in the database, not the cache, because the cache fails open: with
# Redis down, a cache-counted lockout would silently let every guess through.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
# Counted separately: five failures for one account lock it from every address (password guessing spread over
# a botnet); five failures from one address lock that address for every account (one machine trying names).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A lockout lasts the cool-off from the failure that caused it, as the message promises; attempts made while
# locked out do not prolong it. A successful login does not clear the failures either: with addresses counted,
# that would also clear the address's count, and anyone holding one valid account could reset it between guesses.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "pingcheng.accounts.login_lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Log lines name the account masked (a login may be a phone number) and the address.
AXES_CLIENT_STR_CALLABLE = "pingcheng.accounts.login_client_str"
# Behind nginx every request comes from 127.0.0.1: the client is the address nginx appended to X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "pingcheng.accounts.login_client_ip_behind_proxy" if env_bool("BEHIND_PROXY", False) else None
# The district administrator sees and lifts lockouts in our own admin (pingcheng/directory/admin.py); axes'
# admin is for superusers only, and a history of every successful login would be personal data kept forever.
AXES_ENABLE_ADMIN = False
AXES_DISABLE_ACCESS_LOG = True

# A staff session that has seen no request for this long ends (see pingcheng.accounts.StaffIdleTimeoutMiddleware
# for why an idle limit rather than a short cookie age).
SESSION_STAFF_IDLE_MINUTES = env_int("SESSION_STAFF_IDLE_MINUTES", 30)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Re-encoded photo masters: kept outside MEDIA_ROOT so only generated renditions are ever served.
PHOTO_MASTER_ROOT = Path(env_str("PHOTO_MASTER_ROOT", str(VAR_DIR / "photo-masters")))
PHOTO_MAX_UPLOAD_BYTES = env_int("PHOTO_MAX_UPLOAD_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000)
PHOTO_RENDITION_WIDTHS = (480, 960, 1600)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Rich text: the toolbar and the server-side allow-list (pingcheng/richtext.py) describe the same HTML.

CKEDITOR_5_CONFIGS = editor_config.CKEDITOR_5_CONFIGS
CKEDITOR_5_CUSTOM_CSS = "css/editor.css"
CK_EDITOR_5_UPLOAD_FILE_VIEW_NAME = "articles:photo_upload"
CKEDITOR_5_FILE_UPLOAD_PERMISSION = "staff"
CKEDITOR_5_UPLOAD_FILE_TYPES = ["jpeg", "png", "gif", "webp"]

LOGIN_URL = "admin:login"
# JSON for the editor's upload endpoints (CKEditor shows its message), the Chinese 403 page elsewhere.
CSRF_FAILURE_VIEW = "pingcheng.views.csrf_failure"

# People credited anywhere live in the directory; their public page is the newsroom's.
ABSOLUTE_URL_OVERRIDES = {
    "directory.contributor": lambda contributor: _reverse("articles:contributor", kwargs={"pk": contributor.pk}),
}

# E-mail: the console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
# Without a mail server: the console while developing; in production a backend that logs only masked
# recipients, since the console would print residents' addresses and texts into the server's log.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend" if DEBUG
    else "pingcheng.notices.mail.MaskedLogEmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "平城新闻 <noreply@pingcheng.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS: a backend class with send(phone, text, *, idempotency_key); the default writes messages to the log.
SMS_BACKEND = env_str("SMS_BACKEND", "pingcheng.notices.sms.ConsoleSmsBackend")
SMS_FILE_PATH = Path(env_str("SMS_FILE_PATH", str(VAR_DIR / "sms")))
# For pingcheng.notices.sms.GatewaySmsBackend: a China-hosted provider's HTTPS endpoint and its token.
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN")
# Notices: a worker holds a notice it is sending for this long before the sweep may take it back and send it
# again (the worker is presumed dead); keep it well above the slowest channel's timeout (EMAIL_TIMEOUT …).
NOTICE_SEND_LEASE_SECONDS = env_int("NOTICE_SEND_LEASE_SECONDS", 300)
# Days a recipient's e-mail address or phone number is kept on a notice after delivery (or after it was
# given up); then a daily sweep blanks it and only the masked hint (138****1234) stays.
NOTICE_ADDRESS_RETENTION_DAYS = env_int("NOTICE_ADDRESS_RETENTION_DAYS", 30)
# Roles whose holders may issue warnings (预警) to the units of that membership and below.
ALERT_ISSUER_ROLES = env_list("ALERT_ISSUER_ROLES", ["district_admin", "street_staff", "supervisor"])
# SMS rules (pingcheng/notices/rules.py): the signature carriers require, the local hours in which non-urgent
# SMS are held until the end ("" = none), and how many SMS one number gets a day before the rest wait for the
# next morning (0 = no cap). Urgent kinds (warnings, confirmation codes) ignore the hours and the cap.
NOTICE_SMS_SIGNATURE = env_str("NOTICE_SMS_SIGNATURE", "【平城区融媒体中心】")
NOTICE_QUIET_HOURS = env_str("NOTICE_QUIET_HOURS", "21:00-08:00")
NOTICE_SMS_DAILY_CAP = env_int("NOTICE_SMS_DAILY_CAP", 5)
# Local time (HH:MM) from which the daily digests go out, and the weekly ones on Mondays.
NOTICE_DIGEST_TIME = env_str("NOTICE_DIGEST_TIME", "07:30")

# Residents' names and phones are encrypted at rest (pingcheng/personal_data.py): comma-separated Fernet keys,
# the first encrypts, all decrypt (rotate: put a new key first, run `manage.py personal_data_rotate`, drop the
# old one). Without it a key derived from SECRET_KEY is used when DEBUG is on; production refuses to start.
PERSONAL_DATA_KEYS = [key.strip() for key in env_str("PERSONAL_DATA_KEYS").split(",") if key.strip()]
# The key of the lookup digests (a phone's HMAC); kept apart from PERSONAL_DATA_KEYS so rotation keeps digests.
PERSONAL_DATA_DIGEST_KEY = env_str("PERSONAL_DATA_DIGEST_KEY")
# Days after an inquiry is closed (or rejected) before the resident's name, phone and photos are deleted.
INQUIRY_RETENTION_DAYS = env_int("INQUIRY_RETENTION_DAYS", 180)

# Celery: Redis when REDIS_URL is set, otherwise Kombu's filesystem transport under VAR_DIR.
CELERY_FS_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        "control_folder": str(CELERY_FS_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish that cannot reach the broker gives up quickly: the outbox row and the sweep re-drive it.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "notices-sweep": {"task": "pingcheng.notices.tasks.notices_sweep", "schedule": crontab()},
    "alerts-sweep": {"task": "pingcheng.alerts.tasks.alerts_sweep", "schedule": crontab()},
    "notices-erase-addresses": {
        "task": "pingcheng.notices.tasks.notices_erase_addresses", "schedule": crontab(hour=3, minute=17)
    },
    "articles-publish-due": {"task": "articles.tasks.articles_publish_due", "schedule": crontab()},
    "articles-unpublish-due": {"task": "articles.tasks.articles_unpublish_due", "schedule": crontab()},
    "campaigns-ledger-exports": {"task": "campaigns.tasks.ledger_exports_sweep", "schedule": crontab()},
    # Subscribers' news, campaign reminders and findings' deadlines: each sweep finds what is due in the
    # database and writes its notices under a key, so a late, missed or doubled run sends nothing twice.
    "notices-fanouts": {"task": "pingcheng.notices.tasks.fanouts_sweep", "schedule": crontab()},
    "notices-digests": {"task": "pingcheng.notices.tasks.digests_sweep", "schedule": crontab()},
    "campaigns-notices": {"task": "campaigns.tasks.campaign_notices_sweep", "schedule": crontab()},
    # Once a working morning: a finding due yesterday is overdue today, whatever hour the sweep runs.
    "campaigns-findings-escalate": {
        "task": "campaigns.tasks.findings_escalate_overdue", "schedule": crontab(hour=8, minute=5)
    },
    # Inquiries: closing and reminders on working mornings; a resident's phone leaves delivered SMS notices at once.
    "grievances-close-unrated": {"task": "grievances.tasks.inquiries_close_unrated", "schedule": crontab(minute=20)},
    "grievances-remind-due": {"task": "grievances.tasks.inquiries_remind_due", "schedule": crontab(hour=8, minute=10)},
    "grievances-escalate-overdue": {
        "task": "grievances.tasks.inquiries_escalate_overdue", "schedule": crontab(hour=8, minute=15)
    },
    "grievances-erase-expired": {
        "task": "grievances.tasks.inquiries_erase_expired", "schedule": crontab(hour=3, minute=37)
    },
    "grievances-notices-erase-addresses": {
        "task": "grievances.tasks.inquiry_notices_erase_addresses", "schedule": crontab()
    },
}

# Security headers. HTTPS settings follow SECURE_SSL_REDIRECT so a plain-HTTP development run still works.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_SSL_REDIRECT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# CKEditor writes inline styles and data: images: the back office alone gets those relaxations.
CSP_BACK_OFFICE_PREFIXES = ("/admin/", "/ckeditor5/")
CSP_BACK_OFFICE_UPDATE = {"style-src": ["'unsafe-inline'"], "img-src": ["data:", "blob:"]}

# Audit log (django-auditlog; products register their models, see pingcheng.audit.registry): loaddata's raw
# saves are imports, not staff writes.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

SITE_NAME = _("平城新闻")
SITE_SLOGAN = _("城市管理精细化 创建全国文明城市")
