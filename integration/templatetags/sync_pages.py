"""The run counters in the same words on every sync page (selectors.sync.COUNTS)."""

from django import template

from integration.selectors.sync import COUNTS, SUMMARY_COUNTS, RunCount, run_counts

register = template.Library()


@register.filter
def counts(run) -> list[RunCount]:
    """Every counter of a run, for its own page."""
    return run_counts(run, tuple(COUNTS))


@register.filter
def summary_counts(run) -> list[RunCount]:
    """The counters of a run shown as one line among others (history, latest run)."""
    return run_counts(run, SUMMARY_COUNTS)
