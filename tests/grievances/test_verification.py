"""Phone confirmation by SMS code (grievances.verification): hashed, expiring, limited, idempotent per draft."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from grievances import verification
from grievances.verification import (
    MAX_ATTEMPTS,
    PhoneCode,
    VerificationRefused,
    phone_code_check,
    phone_code_send,
    phone_codes_delete_expired,
    phone_normalise,
)
from pingcheng.notices import sms

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def sms_outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _sent_code(outbox) -> str:
    import re

    return re.search(r"\d{6}", outbox[-1].text).group()


def _age(row: PhoneCode, by: timedelta) -> None:
    PhoneCode.objects.filter(pk=row.pk).update(created_at=row.created_at - by, expires_at=row.expires_at - by)


@pytest.mark.parametrize(
    "written", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "8613812345678", "１３８１２３４５６７８"]
)
def test_phone_numbers_in_every_written_form_normalise_to_eleven_digits(written):
    assert phone_normalise(written) == PHONE


@pytest.mark.parametrize("bad", ["", "12345", "0352-5209130", "23812345678", "1381234567x", "138123456789"])
def test_anything_but_a_mainland_mobile_is_refused_with_a_chinese_message(bad):
    with pytest.raises(ValidationError) as caught:
        phone_normalise(bad)
    assert caught.value.code == "phone_invalid" and "手机" in caught.value.messages[0]


def test_code_is_sent_by_sms_and_stored_only_as_a_hash(sms_outbox):
    row = phone_code_send(phone=PHONE, ip="10.0.0.1", purpose="draft-1")
    assert len(sms_outbox) == 1 and sms_outbox[0].phone == PHONE
    code = _sent_code(sms_outbox)
    stored = PhoneCode.objects.get(pk=row.pk)
    assert code not in stored.code_hash and PHONE not in stored.phone_digest
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM grievances_phonecode")
        raw = repr(cursor.fetchall())
    assert PHONE not in raw and code not in raw.replace(stored.code_hash, "")
    assert stored.expires_at - stored.created_at == timedelta(minutes=10)


def test_right_code_is_accepted_once_and_spent_for_another_draft(sms_outbox):
    phone_code_send(phone=PHONE, purpose="draft-1")
    code = _sent_code(sms_outbox)
    phone_code_check(phone=PHONE, code=code, purpose="draft-1")
    with pytest.raises(VerificationRefused) as caught:
        phone_code_check(phone=PHONE, code=code, purpose="draft-2")
    assert caught.value.code == "code_used"


def test_right_code_pressed_twice_for_the_same_draft_is_accepted_both_times(sms_outbox):
    phone_code_send(phone=PHONE, purpose="draft-1")
    code = _sent_code(sms_outbox)
    phone_code_check(phone=PHONE, code=code, purpose="draft-1")
    phone_code_check(phone=PHONE, code=code, purpose="draft-1")


def test_wrong_code_says_how_many_tries_are_left(sms_outbox):
    phone_code_send(phone=PHONE, purpose="d")
    with pytest.raises(VerificationRefused) as caught:
        phone_code_check(phone=PHONE, code="000000" if _sent_code(sms_outbox) != "000000" else "111111", purpose="d")
    assert caught.value.code == "code_wrong" and str(MAX_ATTEMPTS - 1) in caught.value.messages[0]


def test_after_max_wrong_attempts_even_the_right_code_is_refused(sms_outbox):
    phone_code_send(phone=PHONE, purpose="d")
    code = _sent_code(sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(VerificationRefused):
            phone_code_check(phone=PHONE, code=wrong, purpose="d")
    with pytest.raises(VerificationRefused) as caught:
        phone_code_check(phone=PHONE, code=code, purpose="d")
    assert caught.value.code == "code_attempts"


def test_expired_code_is_refused(sms_outbox):
    row = phone_code_send(phone=PHONE, purpose="d")
    _age(row, timedelta(minutes=11))
    with pytest.raises(VerificationRefused) as caught:
        phone_code_check(phone=PHONE, code=_sent_code(sms_outbox), purpose="d")
    assert caught.value.code == "code_expired"


def test_code_for_another_phone_is_refused(sms_outbox):
    phone_code_send(phone=PHONE, purpose="d")
    with pytest.raises(VerificationRefused) as caught:
        phone_code_check(phone="13900000000", code=_sent_code(sms_outbox), purpose="d")
    assert caught.value.code == "code_missing"


def test_only_the_newest_code_counts(sms_outbox):
    first = phone_code_send(phone=PHONE, purpose="d")
    old = _sent_code(sms_outbox)
    _age(first, timedelta(minutes=2))
    phone_code_send(phone=PHONE, purpose="d")
    new = _sent_code(sms_outbox)
    if old != new:
        with pytest.raises(VerificationRefused):
            phone_code_check(phone=PHONE, code=old, purpose="d")
    phone_code_check(phone=PHONE, code=new, purpose="d")


def test_resend_within_the_cooldown_is_refused_and_sends_nothing(sms_outbox):
    phone_code_send(phone=PHONE, purpose="d")
    with pytest.raises(VerificationRefused) as caught:
        phone_code_send(phone=PHONE, purpose="d")
    assert caught.value.code == "code_cooldown" and "秒" in caught.value.messages[0]
    assert len(sms_outbox) == 1


def test_phone_hourly_limit_holds_in_the_database(sms_outbox):
    for _ in range(verification.PHONE_HOURLY):
        row = phone_code_send(phone=PHONE, purpose="d")
        _age(row, timedelta(minutes=2))
    with pytest.raises(VerificationRefused) as caught:
        phone_code_send(phone=PHONE, purpose="d")
    assert caught.value.code == "phone_limit"
    assert len(sms_outbox) == verification.PHONE_HOURLY


def test_address_hourly_limit_counts_over_all_phones(sms_outbox):
    for n in range(verification.IP_HOURLY):
        phone_code_send(phone=f"1390000{n:04d}", ip="10.1.1.1")
    with pytest.raises(VerificationRefused) as caught:
        phone_code_send(phone="13700000000", ip="10.1.1.1")
    assert caught.value.code == "address_limit"
    phone_code_send(phone="13700000000", ip="10.1.1.2")


def test_failed_sms_is_a_clear_refusal_and_leaves_no_code(settings):
    settings.SMS_BACKEND = "tests.grievances.test_verification.FailingSms"
    with pytest.raises(VerificationRefused) as caught:
        phone_code_send(phone=PHONE, purpose="d")
    assert caught.value.code == "sms_failed"
    assert not PhoneCode.objects.exists()


class FailingSms(sms.SmsBackend):
    def send(self, phone, text, *, idempotency_key):
        raise sms.SmsError("gateway down")


def test_codes_long_expired_are_deleted_and_recent_ones_kept(sms_outbox):
    old = phone_code_send(phone=PHONE)
    recent = phone_code_send(phone="13900000000")
    _age(old, timedelta(days=2))
    assert phone_codes_delete_expired() == 1
    assert list(PhoneCode.objects.values_list("pk", flat=True)) == [recent.pk]


def test_code_check_before_any_code_asks_to_request_one():
    with pytest.raises(VerificationRefused) as caught:
        phone_code_check(phone=PHONE, code="123456")
    assert caught.value.code == "code_missing"
    assert timezone.now()
