"""Residents' personal data at rest: an encrypted text field, a keyed digest for lookups, key rotation.

Keys come from ``settings.PERSONAL_DATA_KEYS`` (the environment variable ``PERSONAL_DATA_KEYS``,
comma-separated Fernet keys). The first key encrypts; every key decrypts, so a key is rotated by putting a
new one first, running ``manage.py personal_data_rotate`` (re-encrypts every row with the first key) and then
dropping the old one. Without the variable, a development default is derived from ``SECRET_KEY`` — only
when ``DEBUG`` is on; a production start without it fails the system check ``pingcheng.E_PD001``.

A digest (``personal_data_digest``) is a keyed HMAC of a normalised value: equal values give equal digests,
so rows can be found by phone (duplicates, rate limits) without decrypting anything. It is keyed by
``PERSONAL_DATA_DIGEST_KEY`` (default: derived from ``SECRET_KEY``), not by the rotating encryption keys,
so a rotation does not change any digest.

The field stores the empty string as the empty string: erasing personal data is setting it to "".
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

TOKEN_PREFIX = "pd1:"


def _derive(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"pingcheng.personal_data.{purpose}:{secret}".encode()).digest()


def personal_data_keys() -> list[str]:
    """The configured keys, first = the one that encrypts; the DEBUG default when none is configured."""
    keys = [key.strip() for key in getattr(settings, "PERSONAL_DATA_KEYS", []) if key.strip()]
    if keys:
        return keys
    if settings.DEBUG:
        return [base64.urlsafe_b64encode(_derive(settings.SECRET_KEY, "dev-key")).decode()]
    raise ImproperlyConfigured("PERSONAL_DATA_KEYS must be set when DEBUG is off")


@functools.cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(personal_data_keys()))


def personal_data_encrypt(value: str) -> str:
    if not value:
        return ""
    return TOKEN_PREFIX + _fernet().encrypt(value.encode()).decode()


def personal_data_decrypt(stored: str) -> str:
    """The plaintext of a stored value. A value without our prefix is returned as it is (rows written before
    the column was encrypted); a token no configured key opens raises ``InvalidToken``: losing a key must be
    loud, not a silently empty phone number."""
    if not stored or not stored.startswith(TOKEN_PREFIX):
        return stored or ""
    return _fernet().decrypt(stored[len(TOKEN_PREFIX) :].encode()).decode()


def personal_data_digest(value: str, *, purpose: str) -> str:
    """A keyed HMAC-SHA256 of ``value`` for lookups (hex, 64 chars); "" for an empty value."""
    if not value:
        return ""
    secret = getattr(settings, "PERSONAL_DATA_DIGEST_KEY", "") or settings.SECRET_KEY
    key = _derive(secret, f"digest.{purpose}")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text encrypted with the personal-data keys before it reaches the database; plaintext in Python.

    Ciphertexts are randomised, so the column cannot be filtered or indexed: look rows up by a digest
    column next to it.
    """

    def from_db_value(self, value, expression, connection):
        return value if value is None else personal_data_decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return personal_data_encrypt(value)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names and not model._meta.proxy:
            found.append((model, names))
    return found


def personal_data_rotate(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted column with the first key; return ``{"app.Model": rows rewritten}``.

    Reads the raw stored tokens (bypassing the field) and rewrites a row only when a token was not made
    with the first key, so a second run writes nothing; each batch is its own transaction with row locks.
    """
    fernet = _fernet()
    primary = Fernet(personal_data_keys()[0].encode())
    result = {}
    for model, names in encrypted_fields():
        changed = 0
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                rows = _raw_rows(model, names, pks[start : start + batch_size])
                for pk, values in rows:
                    updates = {}
                    for name, stored in zip(names, values, strict=True):
                        if not stored or not stored.startswith(TOKEN_PREFIX):
                            if stored:  # a plaintext row from before encryption
                                updates[name] = TOKEN_PREFIX + primary.encrypt(stored.encode()).decode()
                            continue
                        token = stored[len(TOKEN_PREFIX) :].encode()
                        try:
                            primary.decrypt(token)
                            continue
                        except InvalidToken:
                            updates[name] = TOKEN_PREFIX + fernet.rotate(token).decode()
                    if updates:
                        _raw_update(model, pk, updates)
                        changed += 1
        result[model._meta.label] = changed
    return result


def _raw_rows(model, names, pks):
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    placeholders = ", ".join(["%s"] * len(pks))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk_column}, {columns} FROM {table} WHERE {pk_column} IN ({placeholders}){lock}", pks)
        return [(row[0], row[1:]) for row in cursor.fetchall()]


def _raw_update(model, pk, updates: dict[str, str]) -> None:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    assignments = ", ".join(f"{connection.ops.quote_name(model._meta.get_field(n).column)} = %s" for n in updates)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s", [*updates.values(), pk])


@checks.register(checks.Tags.security, deploy=False)
def check_personal_data_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production needs its own keys: the DEBUG default is derived from SECRET_KEY and lives in the code path."""
    keys = [key.strip() for key in getattr(settings, "PERSONAL_DATA_KEYS", []) if key.strip()]
    if not keys:
        if settings.DEBUG:
            return []
        return [
            checks.Error(
                "PERSONAL_DATA_KEYS is not set: residents' names and phones cannot be encrypted.",
                hint="Set PERSONAL_DATA_KEYS to a Fernet key (Fernet.generate_key()); see README.",
                id="pingcheng.E_PD001",
            )
        ]
    errors = []
    for index, key in enumerate(keys):
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(
                checks.Error(
                    f"PERSONAL_DATA_KEYS entry {index + 1} is not a valid Fernet key.",
                    hint="A key is 32 url-safe base64-encoded bytes: Fernet.generate_key().",
                    id="pingcheng.E_PD002",
                )
            )
    return errors
