"""Building Zoho search criteria: `((Api_Name:equals:value)and(...))`.

Inside a value Zoho wants a backslash before `(`, `)` and `,`, and a
backslash itself doubled (zoho-crm-api.md §3.2); URL encoding (of `+`, `:`
and the rest) is left to `requests`, which encodes every query parameter.
"""

from collections.abc import Mapping

MAX_CONDITIONS = 10  # Zoho's limit per search


def escape_value(value: str) -> str:
    text = str(value).replace("\\", "\\\\")
    for char in "(),":
        text = text.replace(char, "\\" + char)
    return text


def condition(api_name: str, value: str, operator: str = "equals") -> str:
    return f"({api_name}:{operator}:{escape_value(value)})"


def all_equal(values: Mapping[str, str]) -> str:
    """Criteria matching records whose every field equals its value."""
    if not values or len(values) > MAX_CONDITIONS:
        raise ValueError(f"Zoho search takes 1 to {MAX_CONDITIONS} conditions.")
    parts = [condition(name, value) for name, value in values.items()]
    return parts[0] if len(parts) == 1 else "(" + "and".join(parts) + ")"
