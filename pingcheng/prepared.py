"""Querysets compiled once per thread, then run with new values: for the few reads every public page makes.

Building and compiling a queryset with its joins costs Django about half a millisecond, several times what
PostgreSQL takes to answer it by an index; an uncached article page made three such queries, and the ORM was
half of its time. ``PreparedQuery`` builds the queryset once, from sample values (*sentinels*) that the SQL's
parameters are then searched for; each call runs the same SQL with the caller's values in those places and
turns the rows into model instances (joined ``select_related`` rows and annotations included) the way Django's
own iterable does, or returns them as tuples for a ``values_list`` queryset.

A query made ``server_prepared=True`` is also prepared by PostgreSQL: its statement is parsed and planned once
per database connection and then only executed. Django binds parameters on the client, so PostgreSQL would
otherwise parse and plan each call's SQL anew — about 0.3 ms for the article page's row, three times what
executing it takes. Only for queries whose best plan does not depend on the values (a row by its key, the
newest rows by the live index): after five calls PostgreSQL may keep one generic plan for every value.

A query prepared ``sliced=True`` is run for a slice of its rows (``start=``, ``stop=``): Django writes LIMIT and
OFFSET into the SQL as numbers, so the compiled SQL's own ``LIMIT … OFFSET …`` is replaced by parameters.

Only values that end up as parameters can be prepared (filter values: ``pk=``, ``publish_at__lte=``, ``date=``, and
lists of integers for ``__in``, compiled once per length); a value that the compiled SQL does not carry as a recognisable parameter fails at
the first call, not silently. The cache is per thread and per database connection settings, so each
gunicorn thread (and each test database) compiles its own.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable, get_related_populators

# Values no real request passes: the compiled SQL's parameters are matched against them.
SENTINEL_INT = -735_911_428
SENTINEL_TIME = datetime(1902, 3, 4, 5, 6, 7, 89, tzinfo=UTC)
# The slice a ``sliced`` query is compiled with: its LIMIT and OFFSET are found at the end of the SQL by these.
_SENTINEL_OFFSET, _SENTINEL_LIMIT = 987_654_321, 123_456_789
# ``list`` values: a list of integers, one compiled query per length (a page's 20 keys, an article's few units),
# lists of at most this many lengths kept per query.
_LIST_SIZES_MAX = 64


class PreparedQuery:
    """``PreparedQuery(build, pk=int, now=datetime)``: ``build(pk=…, now=…)`` returns the queryset; calling
    the prepared query with the same keywords runs its SQL with those values.

    ``build`` must put each keyword's value in the query as a parameter and change nothing else about it
    depending on that value. ``sliced=True``: ``build`` returns the query unsliced, and each call gives
    ``start`` and ``stop`` (``queryset[start:stop]``).
    """

    def __init__(
        self, build: Callable[..., QuerySet], *, sliced: bool = False, server_prepared: bool = False, **kinds: type
    ):
        self.build = build
        self.sliced = sliced
        self.server_prepared = server_prepared
        self.kinds = kinds
        self._local = threading.local()

    def _compiled(self, using: str, values: dict) -> dict:
        lengths = tuple(len(values[name]) for name, kind in self.kinds.items() if kind is list)
        key = (using, connections[using].settings_dict["NAME"], lengths)
        cache = getattr(self._local, "compiled", None)
        if cache is None:
            cache = self._local.compiled = {}
        compiled = cache.get(key)
        if compiled is None:
            if len(cache) >= _LIST_SIZES_MAX:
                cache.clear()
            compiled = cache[key] = self._compile(
                using, dict(zip((name for name, kind in self.kinds.items() if kind is list), lengths, strict=True))
            )
        return compiled

    def _compile(self, using: str, lengths: dict[str, int]) -> dict:
        # Every name gets sentinels of its own (a pk and a list of unit ids must not share one).
        samples = {}
        for number, (name, kind) in enumerate(self.kinds.items()):
            base = SENTINEL_INT - 1000 * number
            if kind is list:
                samples[name] = [base - i for i in range(lengths[name])]
            elif kind is int:
                samples[name] = base
            elif kind is date:
                samples[name] = SENTINEL_TIME.date() + timedelta(days=number)
            else:
                samples[name] = SENTINEL_TIME + timedelta(seconds=number)
        queryset = self.build(**samples)
        if self.sliced:
            queryset = queryset[_SENTINEL_OFFSET : _SENTINEL_OFFSET + _SENTINEL_LIMIT]
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if self.sliced:
            sql = _sliced_by_parameters(sql)
        # Each parameter of the SQL that is a sentinel: (name, index in the list value or None).
        wanted = {}
        for name, value in samples.items():
            if isinstance(value, list):
                wanted.update({item: (name, i) for i, item in enumerate(value)})
            else:
                wanted[_adapted(compiler.connection, value)] = (name, None)
        slots = [wanted.get(param) if isinstance(param, (int, str, date)) else None for param in params]
        found = {slot for slot in slots if slot is not None}
        missing = set(wanted.values()) - found
        if missing:
            raise ValueError(f"prepared query: {sorted(missing)} not parameters of the compiled SQL")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        compiled = {
            "sql": sql,
            "params": list(params),
            "slots": slots,
            "compiler": compiler,
            "converters": compiler.get_converters(fields),
            "values": queryset._iterable_class is ValuesListIterable,
            "flat": queryset._iterable_class is FlatValuesListIterable,
        }
        if issubclass(queryset._iterable_class, ModelIterable):
            klass_info, select = compiler.klass_info, compiler.select
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            compiled.update(
                model=klass_info["model"],
                fields=(start, end),
                init_list=[column[0].target.attname for column in select[start:end]],
                populators=get_related_populators(klass_info, select, using),
                # Annotations (a ``Subquery`` value) are columns of their own, set as attributes as Django does.
                annotations=list(compiler.annotation_col_map.items()),
            )
        elif not (compiled["values"] or compiled["flat"]):
            raise ValueError("prepared query: only model rows or values_list() rows")
        return compiled

    def rows(self, *, using: str = "default", start: int = 0, stop: int | None = None, **values: Any) -> list[tuple]:
        """The result rows as tuples, converted as Django converts them (rows ``start`` to ``stop`` of a
        ``sliced`` query)."""
        compiled = self._compiled(using, values)
        connection = connections[using]
        params = [
            param if slot is None
            else _adapted(connection, values[slot[0]] if slot[1] is None else values[slot[0]][slot[1]])
            for slot, param in zip(compiled["slots"], compiled["params"], strict=True)
        ]  # fmt: skip
        if self.sliced:
            if stop is None or not 0 <= start <= stop:
                raise ValueError("prepared query: a sliced query needs 0 <= start <= stop")
            params += [stop - start, start]
        prepared = self.server_prepared and connection.vendor == "postgresql"
        with _server_prepared_cursor(connection) if prepared else connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        converters = compiled["converters"]
        if converters:
            rows = list(compiled["compiler"].apply_converters(rows, converters))
        return [tuple(row) for row in rows]

    def __call__(self, *, using: str = "default", start: int = 0, stop: int | None = None, **values: Any) -> list:
        """Model instances (with their ``select_related`` objects), or ``values_list`` tuples."""
        rows = self.rows(using=using, start=start, stop=stop, **values)
        compiled = self._compiled(using, values)
        if compiled["values"]:
            return rows
        if compiled["flat"]:
            return [row[0] for row in rows]
        model, (start, end), init_list = compiled["model"], compiled["fields"], compiled["init_list"]
        objects = []
        for row in rows:
            obj = model.from_db(using, init_list, row[start:end])
            for populator in compiled["populators"]:
                populator.populate(row, obj)
            for name, position in compiled["annotations"]:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


class PreparedQueries:
    """Prepared queries kept by a key of the caller's, the least recently used dropped past ``kept``: for a
    query whose shape depends on more than the values it is called with (a search's words and filters), so
    that each shape is compiled once and the ones readers ask for most stay compiled."""

    def __init__(self, *, kept: int):
        self.kept = kept
        self._queries: OrderedDict[Hashable, PreparedQuery] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[..., QuerySet], **kinds: type) -> PreparedQuery:
        """The query kept under ``key``, or ``PreparedQuery(build, **kinds)`` kept from now on."""
        with self._lock:
            prepared = self._queries.get(key)
            if prepared is None:
                prepared = self._queries[key] = PreparedQuery(build, **kinds)
                while len(self._queries) > self.kept:
                    self._queries.popitem(last=False)
            else:
                self._queries.move_to_end(key)
            return prepared


@functools.cache
def _preparing_cursor_class() -> type:
    # Imported when first needed: the PostgreSQL backend module imports psycopg, which SQLite setups may lack.
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg import errors
    from psycopg.pq import TransactionStatus

    class PreparingCursor(ServerBindingCursor):
        # The connection's ``ops.compose_sql`` while Django logs its queries (DEBUG, the tests' captures).
        compose: Callable[[str, list], str] | None = None

        def execute(self, query, params=None, **_options):
            try:
                super().execute(query, params, prepare=True)
            except errors.FeatureNotSupported:
                # "cached plan must not change result type": another connection changed the type of a column
                # a statement selects (a deploy's migration while this process serves), and the server refuses
                # every statement planned before. Outside a transaction they are dropped (psycopg forgets them
                # on DEALLOCATE ALL) and the query prepared again; inside one the error stands, and the
                # rollback that follows drops them as well.
                if self.connection.info.transaction_status != TransactionStatus.IDLE:
                    raise
                super().execute("DEALLOCATE ALL", prepare=False)
                super().execute(query, params, prepare=True)
            if self.compose is not None:
                # psycopg keeps no text of a prepared execution, where Django's log reads it
                # (``last_executed_query``): the SQL with its values in place, as for Django's own cursors.
                self._query = SimpleNamespace(query=self.compose(query, params).encode())
            return self

    return PreparingCursor


def _server_prepared_cursor(connection):
    """A cursor of ``connection`` (PostgreSQL) that binds parameters on the server and has each statement
    prepared: wrapped as Django wraps its own cursors, so that the statement is logged and counted, and
    runs through ``execute_wrapper``s, like any other."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Django's own wrapping (``BaseDatabaseWrapper._cursor``) of a cursor of the same connection.
        cursor = _preparing_cursor_class()(connection.connection)
        if connection.queries_logged:
            cursor.compose = connection.ops.compose_sql
        return connection._prepare_cursor(cursor)


def _sliced_by_parameters(sql: str) -> str:
    """The SQL with the sentinel slice's ``LIMIT n OFFSET m``, which Django writes last, as parameters."""
    written = f"LIMIT {_SENTINEL_LIMIT} OFFSET {_SENTINEL_OFFSET}"
    if not sql.endswith(written):
        raise ValueError(f"prepared query: the sliced SQL does not end with {written!r}")
    return sql.removesuffix(written) + "LIMIT %s OFFSET %s"


def _adapted(connection, value):
    """A value as the compiled query carries it (SQLite passes dates and times as text, PostgreSQL as they are)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value
