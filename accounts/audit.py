"""The audit trail: who changed a workspace's settings, when, and from what to what.

Rows are Django admin LogEntry rows, so the admin's History of each object shows
them too. Messages are plain sentences in the actor's language; they never hold
a secret (a changed secret is named, never shown).
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import models
from django.utils.translation import gettext as _

__all__ = ["ADDITION", "CHANGE", "DELETION", "audit_log", "change_line"]


def audit_log(*, actor, obj: models.Model, action: int, changes: list[str]) -> None:
    """Record `changes` (sentences) made by `actor` to `obj`; nothing when there are none.

    A command run without a person (actor None) is not recorded: LogEntry needs a user.
    """
    if not changes or actor is None or not getattr(actor, "pk", None):
        return
    LogEntry.objects.log_actions(
        user_id=actor.pk,
        queryset=[obj],
        action_flag=action,
        change_message=" ".join(changes),
        single_object=True,
    )


def change_line(label: str, old, new) -> str:
    """“Label: old → new.” with a readable placeholder for an empty value."""
    empty = _("(empty)")
    return _("%(label)s: %(old)s → %(new)s.") % {
        "label": label,
        "old": old if old not in ("", None) else empty,
        "new": new if new not in ("", None) else empty,
    }
