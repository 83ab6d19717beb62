"""The SQL bulk writer the pull and push write rows with: `bulk_create` and `bulk_update`
without their per-value overhead, which at sync sizes costs more than all the rest."""

from django.db import connection, models


class _Prepared:
    """Column values as the database takes them. Columns that repeat (a batch's states
    share a run, a snapshot time, a handful of outcomes) prepare each distinct value
    once; text and JSON columns, mostly distinct, are prepared directly."""

    def __init__(self, fields) -> None:
        self.columns = [(f.attname, _preparer(f)) for f in fields]

    def row(self, obj) -> list:
        return [prepare(getattr(obj, attname)) for attname, prepare in self.columns]


def _preparer(field):
    def prepare(value):
        return field.get_db_prep_save(value, connection)

    if isinstance(field, models.JSONField | models.CharField | models.TextField):
        return prepare
    known: dict = {}

    def remembered(value):
        prepared = known.get(value, _UNKNOWN)
        if prepared is _UNKNOWN:
            prepared = known[value] = prepare(value)
        return prepared

    return remembered


_UNKNOWN = object()


def rows_insert(model, objs: list, *, key: str | None = None, batch_size: int = 500) -> None:
    """INSERT new rows of `model` in batches: `bulk_create` without its per-value overhead.

    Fields are taken as set on the objects (their defaults were set when they were
    built; auto_now fields are stamped here). With `key`, a field unique among the
    objects (a contact's email), the new primary keys are read back and set on them.
    """
    if not objs:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    quote = connection.ops.quote_name
    prepared = _Prepared(fields)
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = (
        f" RETURNING {quote(meta.pk.column)}, {quote(meta.get_field(key).column)}" if key else ""
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            for obj in batch:
                for field in stamped:
                    field.pre_save(obj, add=True)
            params = [value for obj in batch for value in prepared.row(obj)]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "
                f"VALUES {', '.join([row] * len(batch))}{returning}",
                params,
            )
            if key:
                _set_keys(batch, key, dict((k, pk) for pk, k in cursor.fetchall()))


def _set_keys(batch: list, key: str, pks: dict) -> None:
    """Primary keys by `key` (RETURNING gives no promise about the order of its rows)."""
    for obj in batch:
        obj.pk = pks[getattr(obj, key)]
        obj._state.adding, obj._state.db = False, connection.alias


def rows_update(model, objs: list, fields: list[str], *, batch_size: int = 500) -> None:
    """Write `fields` of saved `objs`: `bulk_update`'s effect in one UPDATE … FROM (VALUES …)
    statement per batch.

    Django's `bulk_update` builds a CASE WHEN expression per object and field; at sync
    sizes that costs more CPU than all the rest of a run. SQLite (3.33+) and PostgreSQL
    both take a VALUES list joined on the primary key.
    """
    if not objs:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    typed = connection.vendor == "postgresql"  # VALUES params need their column types there

    def cast(sql: str, field) -> str:
        return f"CAST({sql} AS {field.db_type(connection)})" if typed else sql

    names = ", ".join(f"c{n}" for n in range(len(columns) + 1))
    assignments = ", ".join(
        f"{quote(f.column)} = {cast(f'v.c{n}', f)}" for n, f in enumerate(columns, start=1)
    )
    table, pk = quote(meta.db_table), meta.pk
    row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    prepared = _Prepared([pk, *columns])
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params = [value for obj in batch for value in prepared.row(obj)]
            cursor.execute(
                f"WITH v({names}) AS (VALUES {', '.join([row] * len(batch))}) "
                f"UPDATE {table} SET {assignments} FROM v "
                f"WHERE {table}.{quote(pk.column)} = {cast('v.c0', pk)}",
                params,
            )
