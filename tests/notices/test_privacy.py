"""A resident's address is kept only where delivery needs it: never in errors, logs or after the retention."""

import importlib
import logging
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import override_settings
from django.utils import timezone

from pingcheng.directory.models import Role
from pingcheng.notices import services
from pingcheng.notices.models import Notice
from pingcheng.notices.sms import ConsoleSmsBackend
from tests.factories import staff
from tests.notices.people import subscriber

pytestmark = pytest.mark.django_db
EMAIL = "zhangsan@example.com"
PHONE = "13800138000"


def _enqueue(person):
    return services.notice_enqueue(kind="generic", recipient=person, key="event:1",
                                   context={"subject": "主题", "body": "正文"})  # fmt: skip


def _on_its_last_attempt(notice):
    Notice.objects.filter(pk=notice.pk).update(attempts=services.MAX_ATTEMPTS - 1)


@override_settings(EMAIL_BACKEND="tests.notices.backends.RecipientRefusedEmailBackend")
def test_a_refused_email_address_is_masked_in_the_stored_error_and_the_log(caplog):
    [notice] = _enqueue(subscriber(email=EMAIL))
    _on_its_last_attempt(notice)
    with caplog.at_level(logging.INFO):
        assert services.notice_deliver(notice_id=notice.pk) is False
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DEAD
    # What went wrong is still there, the person is not.
    assert "SMTPRecipientsRefused" in notice.last_error and "550" in notice.last_error
    assert "z***@example.com" in notice.last_error
    assert EMAIL not in notice.last_error and "postmaster@mail.example.cn" not in notice.last_error
    assert f"Notice {notice.pk} is dead" in caplog.text
    assert EMAIL not in caplog.text and "postmaster@mail.example.cn" not in caplog.text


@override_settings(SMS_BACKEND="tests.notices.backends.NumberInErrorSmsBackend")
def test_a_phone_number_in_a_provider_error_is_masked_in_the_stored_error_and_the_log(caplog):
    [notice] = _enqueue(subscriber(phone=PHONE))
    _on_its_last_attempt(notice)
    services.notice_deliver(notice_id=notice.pk)
    notice.refresh_from_db()
    assert "blocklist" in notice.last_error and "138****8000" in notice.last_error
    assert PHONE not in notice.last_error and "13912345678" not in notice.last_error
    assert PHONE not in caplog.text and "13912345678" not in caplog.text


@override_settings(SMS_BACKEND="tests.notices.backends.FailingSmsBackend")
def test_an_error_without_an_address_is_stored_as_it_was():
    [notice] = _enqueue(subscriber(phone=PHONE))
    services.notice_deliver(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.last_error == "SmsError: provider answered 503"


@override_settings(NOTICE_ADDRESS_RETENTION_DAYS=30)
def test_the_retention_sweep_takes_the_address_out_of_the_error_too():
    # Written before errors were masked: the address is in the error as well as in ``recipient``.
    old = Notice.objects.create(
        key="old", kind="generic", template="generic", channel=Notice.Channel.EMAIL, recipient=EMAIL,
        recipient_hint="z***@example.com", status=Notice.Status.DEAD, attempts=8,
        last_error=f"SMTPRecipientsRefused: {{'{EMAIL}': (550, b'no such user, see 13912345678')}}",
    )  # fmt: skip
    Notice.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert services.notices_erase_addresses() == 1
    old.refresh_from_db()
    assert old.recipient == ""
    assert EMAIL not in old.last_error and "13912345678" not in old.last_error
    assert "z***@example.com" in old.last_error and "550" in old.last_error


def test_the_migration_masks_errors_already_stored_even_where_the_address_was_erased():
    erased = Notice.objects.create(
        key="erased", kind="generic", template="generic", channel=Notice.Channel.SMS, recipient="",
        recipient_hint="138****8000", status=Notice.Status.DEAD, last_error=f"SmsError: {PHONE} blocked",
    )  # fmt: skip
    clean = Notice.objects.create(key="clean", kind="generic", template="generic", channel=Notice.Channel.SMS,
                                  recipient=PHONE, status=Notice.Status.FAILED, last_error="SmsError: 503")  # fmt: skip
    migration = importlib.import_module("pingcheng.notices.migrations.0006_mask_stored_errors")
    migration.mask_errors(apps, None)
    erased.refresh_from_db()
    clean.refresh_from_db()
    assert erased.last_error == "SmsError: 138****8000 blocked"
    assert clean.last_error == "SmsError: 503"


@override_settings(SMS_BACKEND="tests.notices.backends.NumberInErrorSmsBackend")
def test_the_outbox_admin_shows_a_failed_notice_without_the_address(client):
    [notice] = _enqueue(subscriber(phone=PHONE))
    services.notice_deliver(notice_id=notice.pk)
    client.force_login(staff(Role.SUPERVISOR))
    detail = client.get(f"/admin/notices/notice/{notice.pk}/change/").text
    assert "blocklist" in detail and "138****8000" in detail
    assert PHONE not in detail and "13912345678" not in detail


def test_the_console_sms_backend_logs_the_masked_number_and_the_key_not_the_text(caplog):
    with caplog.at_level(logging.INFO, logger="pingcheng.notices.sms"):
        ConsoleSmsBackend().send(PHONE, "【平城新闻】您的诉求已办结，验证码 482913", idempotency_key="key-123")
    assert "138****8000" in caplog.text and "key-123" in caplog.text
    assert PHONE not in caplog.text
    assert "诉求" not in caplog.text and "482913" not in caplog.text
