"""Settings for the Celery worker that test_worker_killed.py starts and kills: the test settings, with an SMS
provider that lives in files so that the test process sees what the worker sent."""

from tests.settings import *  # noqa: F403

SMS_BACKEND = "tests.notices.backends.BlockingFileSmsBackend"
