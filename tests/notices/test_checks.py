"""A send lease shorter than a channel's timeout lets a second worker re-send a message that is still on its
way: ``manage.py check`` refuses such settings."""

from django.core import checks
from django.test import override_settings

from pingcheng.notices import sms


class PatientSmsBackend(sms.SmsBackend):
    timeout = 60


class UndeclaredSmsBackend:
    def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        raise AssertionError("never called by a check")


def _ids() -> set[str]:
    return {message.id for message in checks.run_checks() if message.id.startswith("notices.")}


@override_settings(NOTICE_SEND_LEASE_SECONDS=300, EMAIL_TIMEOUT=10)
def test_a_lease_well_above_the_channel_timeouts_passes():
    assert _ids() == set()


@override_settings(NOTICE_SEND_LEASE_SECONDS=20, EMAIL_TIMEOUT=10)
def test_a_lease_not_comfortably_longer_than_the_email_timeout_is_an_error():
    [error] = [m for m in checks.run_checks() if m.id == "notices.E002" and "EMAIL_TIMEOUT" in m.msg]
    assert error.level == checks.ERROR
    assert "NOTICE_SEND_LEASE_SECONDS (20)" in error.msg


@override_settings(NOTICE_SEND_LEASE_SECONDS=30, EMAIL_TIMEOUT=10)
def test_three_times_the_timeout_is_enough():
    assert _ids() == set()


@override_settings(NOTICE_SEND_LEASE_SECONDS=120, EMAIL_TIMEOUT=10,
                   SMS_BACKEND="tests.notices.test_checks.PatientSmsBackend")  # fmt: skip
def test_a_lease_not_comfortably_longer_than_the_sms_timeout_is_an_error():
    # E-mail (10 s) is fine with 120 s; the SMS gateway (60 s) is not.
    [error] = [m for m in checks.run_checks() if m.id == "notices.E002"]
    assert "PatientSmsBackend" in error.msg and "(60)" in error.msg


@override_settings(NOTICE_SEND_LEASE_SECONDS=300, EMAIL_TIMEOUT=None)
def test_an_email_send_without_a_timeout_is_an_error():
    assert _ids() == {"notices.E003"}


@override_settings(SMS_BACKEND="tests.notices.test_checks.UndeclaredSmsBackend")
def test_an_sms_backend_that_declares_no_timeout_is_warned_about():
    [warning] = [m for m in checks.run_checks() if m.id == "notices.W001"]
    assert warning.level == checks.WARNING


def test_the_shipped_sms_backends_declare_their_timeout():
    for backend in (sms.ConsoleSmsBackend, sms.FileSmsBackend, sms.LocmemSmsBackend):
        assert issubclass(backend, sms.SmsBackend) and backend.timeout > 0
