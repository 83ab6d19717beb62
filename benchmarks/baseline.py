"""The naive baseline: the same sync, one Zoho call per record, as iPaaS tools do it.

The engine runs unchanged; only its client is wrapped so that every page holds one
record and every write sends one record, one call after another.
"""


class RecordByRecord:
    """A ZohoClient used one record at a time (everything else passes through)."""

    def __init__(self, client) -> None:
        self._client = client

    def __getattr__(self, name: str):
        return getattr(self._client, name)

    def iter_records(self, module: str, **options):
        return self._client.iter_records(module, **{**options, "per_page": 1, "prefetch": False})

    def upsert(self, module: str, records: list[dict], **options) -> list:
        return [
            result
            for record in records
            for result in self._client.upsert(module, [record], **options)
        ]

    def upsert_many(self, module: str, records, *, concurrency: int = 1, **options) -> list:
        return self.upsert(module, list(records), **options)


def install() -> None:
    """Make the sync engine use the record-by-record client in this process."""
    from integration.sync import runner

    original = runner.client_for
    runner.client_for = lambda connection: RecordByRecord(original(connection))
