"""Rows written once for a test module and rolled back after it: Django's ``setUpTestData`` for pytest.

Loading the demo page takes 2–3 s (ten articles rendered and indexed, two photos encoded); about two hundred
tests read it and change little or nothing. A ``module_data`` fixture writes its rows once, inside a
transaction that stays open for the module's tests and is rolled back after the last one. Each test runs in
a savepoint inside that transaction (pytest-django's ``db``), so every test sees the rows as written,
whatever the test before it changed.

Tests of a module that do not ask for the fixture must not see its rows: ``tests/conftest.py`` runs them
first (``module_data_last``). A module holds at most one such fixture, and never with ``transactional_db``
or ``live_server`` tests, which commit and need the rows committed too.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

MODULE_DATA_FIXTURES: set[str] = set()


def module_data(write: Callable[[], object]):
    """A module-scoped fixture named after ``write``: what ``write`` returns, its rows kept for the module."""
    name = write.__name__
    MODULE_DATA_FIXTURES.add(name)

    @pytest.fixture(scope="module", name=name)
    def fixture(django_db_setup, django_db_blocker, tmp_path_factory):
        # The renditions ``write`` makes stay in a folder of the module's, whatever MEDIA_ROOT a test sets.
        files = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp(f"{name}-media"))
        with files, _rolled_back_after(django_db_blocker):
            with django_db_blocker.unblock():
                value = write()
            yield value

    return fixture


@contextmanager
def _rolled_back_after(django_db_blocker) -> Iterator[None]:
    """A transaction open for the block and rolled back after it. The database is unblocked only to open and
    to roll back the transaction: between the two, a test without the ``django_db`` mark is still refused it,
    and cannot write outside a test's savepoint into the rows every later test of the module reads."""
    kept = transaction.atomic()
    with django_db_blocker.unblock():
        kept.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            kept.__exit__(None, None, None)


@module_data
def demo_page():
    """The demo page as ``manage.py load_demo`` loads it (without accounts)."""
    call_command("load_demo", verbosity=0)


@module_data
def demo_with_accounts():
    """The demo page with its demo logins, as ``make run`` loads it (accounts are made in development only)."""
    # The URLconf first imported under DEBUG would keep the development media route for the whole session.
    import pingcheng.urls  # noqa: F401

    with override_settings(DEBUG=True):
        call_command("load_demo", "--accounts", verbosity=0)


def module_data_last(items: list) -> None:
    """Within each module, the tests that use a ``module_data`` fixture after those that do not; the sort is
    stable, so everything else keeps its collected order."""
    position: dict = {}
    for index, item in enumerate(items):
        position.setdefault(item.path, index)
    items.sort(key=lambda item: (position[item.path],
                                 bool(MODULE_DATA_FIXTURES.intersection(getattr(item, "fixturenames", ())))))  # fmt: skip
