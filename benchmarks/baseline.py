"""The naive baseline: the same sync, its Zoho calls made one after another.

The engine runs unchanged, with the product's pages of 200 and batches of 100; only
its client is wrapped so that nothing overlaps: no page read ahead, no batches in
flight together. What it measures is what concurrency adds to batching, not a
strawman that drops batching, page size and concurrency at once.
"""


class OneCallAtATime:
    """A ZohoClient that never has two calls in flight (everything else passes through)."""

    def __init__(self, client) -> None:
        self._client = client

    def __getattr__(self, name: str):
        return getattr(self._client, name)

    def __setattr__(self, name: str, value) -> None:
        # The engine sets the run's credit budget on its client: the wrapped one spends.
        if name == "_client":
            object.__setattr__(self, name, value)
        else:
            setattr(self._client, name, value)

    def iter_records(self, module: str, **options):
        return self._client.iter_records(module, **{**options, "prefetch": False})

    def upsert_many(self, module: str, records, **options) -> list:
        return self._client.upsert_many(module, records, **{**options, "concurrency": 1})


def install() -> None:
    """Make the sync engine use the one-call-at-a-time client in this process."""
    from integration.sync import runner

    original = runner.client_for
    runner.client_for = lambda connection: OneCallAtATime(original(connection))
