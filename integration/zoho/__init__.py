"""The Zoho CRM client package: HTTP only, no ORM (see client.py)."""

from integration.zoho.client import CallStats, RecordResult, ZohoClient
from integration.zoho.tokens import AccessToken, Credentials, MemoryTokenStore, TokenStore

__all__ = [
    "AccessToken",
    "CallStats",
    "Credentials",
    "MemoryTokenStore",
    "RecordResult",
    "TokenStore",
    "ZohoClient",
]
