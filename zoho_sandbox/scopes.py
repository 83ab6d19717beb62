"""OAuth scope matching for the CRM endpoints.

Zoho scopes are ``Service.scope_name.operation`` (zoho-crm-api.md §1.5): records need
``ZohoCRM.modules.ALL`` or ``ZohoCRM.modules.{module}.{ALL|READ|WRITE|CREATE|UPDATE|DELETE}``
(``ZohoCRM.modules.READ`` etc. cover every module); field metadata needs
``ZohoCRM.settings.ALL`` or ``ZohoCRM.settings.fields.{ALL|READ}``. Matching ignores case.
"""

from __future__ import annotations

# Which operations each granted operation word covers.
COVERS = {
    "all": {"read", "create", "update", "delete"},
    "write": {"create", "update", "delete"},
    "read": {"read"},
    "create": {"create"},
    "update": {"update"},
    "delete": {"delete"},
}


def parse(scope_text: str) -> frozenset[str]:
    return frozenset(s.strip().lower() for s in scope_text.split(",") if s.strip())


def _covers(granted_op: str, op: str) -> bool:
    return op in COVERS.get(granted_op, set())


def allows_records(scopes: frozenset[str], module: str, op: str) -> bool:
    """``op`` is read, create, update or delete."""
    module = module.lower()
    for scope in scopes:
        parts = scope.split(".")
        if parts[:2] != ["zohocrm", "modules"]:
            continue
        if len(parts) == 3 and _covers(parts[2], op):
            return True
        if len(parts) == 4 and parts[2] == module and _covers(parts[3], op):
            return True
    return False


def allows_settings(scopes: frozenset[str], area: str, *, strict: bool) -> bool:
    """``area`` is ``fields`` or ``modules``; lenient mode accepts any ZohoCRM.settings scope."""
    for scope in scopes:
        parts = scope.split(".")
        if parts[:2] != ["zohocrm", "settings"]:
            continue
        if not strict or (len(parts) == 3 and _covers(parts[2], "read")):
            return True
        if len(parts) == 4 and parts[2] == area and _covers(parts[3], "read"):
            return True
    return False


def allows_named(scopes: frozenset[str], name: str, *, strict: bool) -> bool:
    """``/org`` and ``/users``: ZohoCRM.{org|users}.{ALL|READ}; lenient: any ZohoCRM scope."""
    if not strict:
        return any(scope.startswith("zohocrm.") for scope in scopes)
    return any(
        scope.split(".")[:2] == ["zohocrm", name] and _covers(scope.split(".")[-1], "read")
        for scope in scopes
    ) or any(scope in ("zohocrm.settings.all",) for scope in scopes)


def allows_search(scopes: frozenset[str], module: str, *, strict: bool) -> bool:
    """Search needs read on the module, plus ZohoSearch.securesearch.READ when strict (§1.5)."""
    if not allows_records(scopes, module, "read"):
        return False
    if not strict:
        return True
    return any(s in ("zohosearch.securesearch.read", "zohosearch.securesearch.all") for s in scopes)
