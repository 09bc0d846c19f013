"""Settings of the bare reference project: no apps, no middleware, no database — Django's request cycle only."""

import os

SECRET_KEY = "bench-bare-reference-" + "not-a-secret-" * 3
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.bare.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True
# Folder of <page>.html files written by bench/site.py; each becomes the view at /<page>.
BARE_PAGES_DIR = os.environ.get("BENCH_BARE_PAGES", "")
