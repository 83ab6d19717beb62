"""Keep tokens out of history: Zoho's messages may echo what they were sent."""

import re

# Zoho tokens look like "1000.<hex>.<hex>"; grant codes likewise.
_TOKEN = re.compile(r"\b1000\.[0-9a-f]{16,}(?:\.[0-9a-f]{16,})?\b", re.IGNORECASE)


def scrub(text: str) -> str:
    return _TOKEN.sub("[secret]", text or "")
