"""Zoho's record-level error codes in words a marketer can act on."""

_BY_CODE = {
    "MANDATORY_NOT_FOUND": "Zoho requires {api_name}, which is empty. Fill it in Plezi.",
    "INVALID_DATA": (
        "Zoho refused the value of {api_name}{expected}. Check the field's type and length in "
        "Zoho (Setup → Modules and Fields) and the value in Plezi."
    ),
    "DUPLICATE_DATA": (
        "Zoho says {api_name} must be unique and another record already has this value. "
        "Change it in Plezi or merge the records in Zoho."
    ),
    "LIMIT_EXCEEDED": "Zoho's limit was reached for this record. It will be retried.",
}


def zoho_record_message(result) -> str:
    details = result.details or {}
    template = _BY_CODE.get(result.code or "")
    if template is None:
        return f"Zoho refused this record ({result.code}: {result.message}). It will be retried."
    expected = details.get("expected_data_type")
    return template.format(
        api_name=details.get("api_name", "a field"),
        expected=f" (Zoho expects {expected})" if expected else "",
    )
