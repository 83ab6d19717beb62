"""Read-only metadata endpoints: org, users, modules and fields (shapes as Zoho's v2)."""

from __future__ import annotations

from zoho_sandbox.state import MODULES, Org
from zoho_sandbox.wire import Reply, Request, json_reply, zoho_error

LABELS = {"Leads": ("Lead", "Leads"), "Contacts": ("Contact", "Contacts")}


def org_info(org: Org, request: Request) -> Reply:
    admin = org.users[org.admin_id]
    offset = org.settings["time_zone_offset_minutes"]
    info = {
        "id": f"{org.zgid}0000000001",
        "company_name": "Sandbox Org",
        "alias": None,
        "primary_email": admin["email"],
        "primary_zuid": admin["zuid"],
        "domain_name": org.domain_name,
        "zgid": org.zgid,
        "currency": "US Dollar",
        "currency_symbol": "$",
        "currency_locale": "en_US",
        "iso_code": "USD",
        "time_zone": "Etc/UTC" if offset == 0 else f"GMT{offset // 60:+03d}:{offset % 60:02d}",
        "country_code": "US",
        "mc_status": False,
        "gapps_enabled": False,
        "translation_enabled": False,
        "privacy_settings": False,
        "photo_id": None,
        "type": "production",
        "license_details": {
            "paid": org.settings["edition"] != "free",
            "paid_type": org.settings["edition"],
            "paid_expiry": None,
            "users_license_purchased": len(org.users),
            "trial_type": None,
            "trial_expiry": None,
        },
    }
    return json_reply(200, {"org": [info]})


def users(org: Org, request: Request) -> Reply:
    kind = request.query.get("type") or "AllUsers"
    if kind == "CurrentUser":
        chosen = [org.users[org.admin_id]]
    elif kind in ("AllUsers", "ActiveUsers", "ConfirmedUsers", "ActiveConfirmedUsers"):
        chosen = list(org.users.values())
    elif kind in ("AdminUsers", "ActiveConfirmedAdmins"):
        chosen = [org.users[org.admin_id]]
    else:
        return zoho_error(400, "INVALID_DATA", "invalid data", {"param_name": "type"})
    info = {"per_page": 200, "count": len(chosen), "page": 1, "more_records": False}
    return json_reply(200, {"users": chosen, "info": info})


def field_list(org: Org, request: Request) -> Reply:
    name = request.query.get("module")
    if not name:
        return zoho_error(
            400,
            "REQUIRED_PARAM_MISSING",
            "One of the expected parameter is missing",
            {"param_name": "module"},
        )
    module = org.module(name)
    if module is None:
        return invalid_module()
    return json_reply(200, {"fields": list(org.fields[module].values())})


def module_summary(org: Org, module: str) -> dict:
    singular, plural = LABELS[module]
    return {
        "api_name": module,
        "module_name": module,
        "singular_label": singular,
        "plural_label": plural,
        "id": org.module_ids[module],
        "api_supported": True,
        "generated_type": "default",
        "creatable": True,
        "editable": True,
        "deletable": True,
        "viewable": True,
        "convertable": module == "Leads",
        "global_search_supported": True,
        "visible": True,
        "visibility": 1,
        "show_as_tab": True,
        "sequence_number": MODULES.index(module) + 2,
        "modified_time": None,
        "modified_by": None,
        "presence_sub_menu": True,
        "quick_create": True,
        "web_link": None,
        "arguments": [],
        "parent_module": {},
        "profiles": [{"name": "Administrator", "id": org.users[org.admin_id]["profile"]["id"]}],
    }


def module_list(org: Org, request: Request) -> Reply:
    return json_reply(200, {"modules": [module_summary(org, m) for m in MODULES]})


def module_detail(org: Org, request: Request, name: str) -> Reply:
    module = org.module(name)
    if module is None:
        return invalid_module()
    detail = {**module_summary(org, module), "fields": list(org.fields[module].values())}
    return json_reply(200, {"modules": [detail]})


def invalid_module() -> Reply:
    return zoho_error(400, "INVALID_MODULE", "the module name given seems to be invalid")
