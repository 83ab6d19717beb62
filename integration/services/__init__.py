"""Writes of the integration: connecting (`connect`), checking a saved connection
(`health`) and starting syncs (`sync`). The names below are the public ones."""

from integration.checks import ConnectionProblem
from integration.services.connect import connection_limits_update, connection_update
from integration.services.health import (
    Health,
    connection_check,
    connection_disconnect,
    connection_refresh_fields,
)

__all__ = [
    "ConnectionProblem",
    "Health",
    "connection_check",
    "connection_disconnect",
    "connection_limits_update",
    "connection_refresh_fields",
    "connection_update",
]
