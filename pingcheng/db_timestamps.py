"""Reading PostgreSQL timestamps through psycopg's C loader instead of Django's Python one.

Django (5.2, ``django.db.backends.postgresql.psycopg_any``) registers its own ``timestamptz`` loader, a Python
subclass of psycopg's pure-Python loader that parses the text and then sets the time zone: about 5 µs a value,
where psycopg's C loader (``psycopg[binary]``) takes about 1 µs. A front page reads some 130 timestamps, the
e-paper more; on an uncached view that was half a millisecond or more of parsing.

When Django's connection time zone is UTC (``USE_TZ`` with no database ``TIME_ZONE``: what this project runs),
the C loader returns exactly what Django's does — an aware datetime in ``datetime.timezone.utc`` — because
Django has set the session's ``TimeZone`` to UTC. ``timestamps_loader_connect`` then puts a thin wrapper around
the C loader on each new connection. The wrapper carries the ``timezone`` attribute Django's cursor factory
compares with its own, so Django keeps it. With another connection time zone, or without the C module,
nothing changes.
"""

import datetime
import functools

from django.db.backends.signals import connection_created

_UTC = datetime.UTC


@functools.cache
def _fast_loader_class():
    """A loader class around psycopg's C ``timestamptz`` loader, or None when psycopg runs without C."""
    try:
        import psycopg
        from psycopg.pq import Format
        from psycopg.types.datetime import TimestamptzLoader as PythonLoader
    except ImportError:
        return None
    c_loader = psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, Format.TEXT)
    if c_loader is None or c_loader is PythonLoader:
        return None

    class UTCTimestampLoader(psycopg.adapt.Loader):
        timezone = _UTC  # what Django's create_cursor compares with its connection's time zone

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._load = c_loader(oid, context).load

        def load(self, data):
            return self._load(data)

    return UTCTimestampLoader


def _use_fast_loader(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or connection.timezone is not _UTC:
        return
    loader = _fast_loader_class()
    if loader is not None and hasattr(connection.connection, "adapters"):  # psycopg 3, not psycopg2
        connection.connection.adapters.register_loader("timestamptz", loader)


def timestamps_loader_connect() -> None:
    """Called once from ``PingchengConfig.ready()``."""
    connection_created.connect(_use_fast_loader, dispatch_uid="pingcheng.db_timestamps")
