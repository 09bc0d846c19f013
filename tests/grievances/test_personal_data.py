import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from grievances.models import Inquiry
from pingcheng import personal_data
from tests.grievances.desk_world import PHONE, submit

pytestmark = pytest.mark.django_db


def _raw(inquiry) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM grievances_inquiry WHERE id = %s", [inquiry.pk])
        return cursor.fetchone()


def test_name_and_phone_are_encrypted_in_the_database_and_read_back_in_clear(desk_world):
    inquiry = submit(desk_world)
    name, phone = _raw(inquiry)
    assert PHONE not in phone and PHONE[-4:] not in phone and "孙桂兰" not in name
    assert phone.startswith(personal_data.TOKEN_PREFIX)
    fresh = Inquiry.objects.get(pk=inquiry.pk)
    assert (fresh.name, fresh.phone) == ("孙桂兰", PHONE)


def test_the_sqlite_database_file_holds_no_phone_number(desk_world):
    if connection.vendor != "sqlite":
        pytest.skip("the file check is SQLite's; the raw column check covers PostgreSQL")
    submit(desk_world)
    connection.close()
    with open(connection.settings_dict["NAME"], "rb") as database:
        assert PHONE.encode() not in database.read()


def test_the_digest_finds_the_phone_without_decrypting_and_is_keyed(desk_world, settings):
    from grievances.services import inquiry_phone_digest

    inquiry = submit(desk_world)
    assert Inquiry.objects.filter(phone_digest=inquiry_phone_digest("138 1234 5678")).get() == inquiry
    settings.PERSONAL_DATA_DIGEST_KEY = "another-key"
    assert inquiry_phone_digest(PHONE) != inquiry.phone_digest


def test_rotation_reencrypts_with_the_new_key_and_the_old_key_can_then_go(desk_world, settings):
    old = settings.PERSONAL_DATA_KEYS
    inquiry = submit(desk_world)
    before = _raw(inquiry)
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, *old]
    assert Inquiry.objects.get(pk=inquiry.pk).phone == PHONE  # the old key still decrypts
    call_command("personal_data_rotate", stdout=open("/dev/null", "w"))
    after = _raw(inquiry)
    assert after != before
    settings.PERSONAL_DATA_KEYS = [new_key]
    assert Inquiry.objects.get(pk=inquiry.pk).phone == PHONE
    assert personal_data.personal_data_rotate()["grievances.Inquiry"] == 0  # a second run writes nothing


def test_a_row_no_configured_key_opens_fails_loudly(desk_world, settings):
    inquiry = submit(desk_world)
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(InvalidToken):
        Inquiry.objects.get(pk=inquiry.pk)


def test_production_without_keys_fails_the_system_check(settings):
    settings.PERSONAL_DATA_KEYS = []
    settings.DEBUG = False
    assert [error.id for error in personal_data.check_personal_data_keys()] == ["pingcheng.E_PD001"]
    settings.DEBUG = True
    assert personal_data.check_personal_data_keys() == []
    settings.PERSONAL_DATA_KEYS = ["not-a-key"]
    assert [error.id for error in personal_data.check_personal_data_keys()] == ["pingcheng.E_PD002"]


def test_erased_values_stay_empty_not_encrypted(desk_world):
    from grievances.services import inquiry_personal_data_erase

    inquiry = submit(desk_world)
    inquiry_personal_data_erase(inquiry=inquiry)
    assert _raw(inquiry) == ("", "")
