"""Settings for the Celery workers and beats the reliability tests start: the test settings, an SMS provider in
files (tests/alerts/backends.py), and with PINGCHENG_TEST_FAST_BEAT a beat that runs the warnings' sweep every
second instead of every minute."""

import os

from tests.settings import *  # noqa: F403

SMS_BACKEND = "tests.alerts.backends.CountingFileSmsBackend"
if os.environ.get("PINGCHENG_TEST_FAST_BEAT"):
    CELERY_BEAT_SCHEDULE = {"alerts-sweep": {"task": "pingcheng.alerts.tasks.alerts_sweep", "schedule": 1.0}}
