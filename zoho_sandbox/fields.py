"""Field metadata: Zoho's standard Leads and Contacts fields and the shape of a field.

Data types, lengths and picklists follow the classic Zoho field table (zoho-crm-api.md
§5.2-5.4): Last_Name is the only system-mandatory field; First_Name 40, Last_Name 80,
Company 100, Email 100, Phone/Mobile/Fax 30, Website 120.
"""

from __future__ import annotations

from collections.abc import Callable

JSON_TYPES = {
    "integer": "integer",
    "bigint": "string",
    "double": "double",
    "currency": "double",
    "boolean": "boolean",
    "lookup": "jsonobject",
    "ownerlookup": "jsonobject",
    "multiselectpicklist": "jsonarray",
}

DATA_TYPES = {
    "text",
    "textarea",
    "email",
    "phone",
    "website",
    "picklist",
    "multiselectpicklist",
    "integer",
    "bigint",
    "double",
    "currency",
    "boolean",
    "date",
    "datetime",
    "lookup",
    "ownerlookup",
}

# Fields Zoho fills in itself; a write that names them is ignored.
SYSTEM_FIELDS = ("Created_By", "Modified_By", "Created_Time", "Modified_Time")
READ_ONLY = {*SYSTEM_FIELDS, "Full_Name", "Last_Activity_Time"}

LEAD_SOURCES = [
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "External Referral",
    "Online Store",
    "Partner",
    "Public Relations",
    "Sales Email Alias",
    "Seminar Partner",
    "Internal Seminar",
    "Trade Show",
    "Web Download",
    "Web Research",
    "Chat",
    "Twitter",
    "Facebook",
]
LEAD_STATUSES = [
    "Attempted to Contact",
    "Contact in Future",
    "Contacted",
    "Junk Lead",
    "Lost Lead",
    "Not Contacted",
    "Pre-Qualified",
    "Not Qualified",
]
INDUSTRIES = [
    "ASP (Application Service Provider)",
    "Data/Telecom OEM",
    "ERP (Enterprise Resource Planning)",
    "Government/Military",
    "Large Enterprise",
    "ManagementISV",
    "MSP (Management Service Provider)",
    "Network Equipment Enterprise",
    "Non-management ISV",
    "Optical Networking",
    "Service Provider",
    "Small/Medium Enterprise",
    "Storage Equipment",
    "Storage Service Provider",
    "Systems Integrator",
    "Wireless Industry",
]
RATINGS = ["Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down"]
SALUTATIONS = ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof."]

# (api_name, label, data_type, length, extra)
Spec = tuple[str, str, str, int | None, dict]

_COMMON_HEAD: list[Spec] = [("Owner", "Lead Owner", "ownerlookup", 120, {})]
_COMMON_TAIL: list[Spec] = [
    ("Created_By", "Created By", "ownerlookup", 120, {}),
    ("Modified_By", "Modified By", "ownerlookup", 120, {}),
    ("Created_Time", "Created Time", "datetime", 120, {}),
    ("Modified_Time", "Modified Time", "datetime", 120, {}),
    ("Last_Activity_Time", "Last Activity Time", "datetime", 120, {}),
]

LEADS: list[Spec] = [
    *_COMMON_HEAD,
    ("Company", "Company", "text", 100, {}),
    ("Salutation", "Salutation", "picklist", 120, {"values": SALUTATIONS}),
    ("First_Name", "First Name", "text", 40, {}),
    ("Last_Name", "Last Name", "text", 80, {"mandatory": True}),
    ("Full_Name", "Lead Name", "text", 120, {}),
    ("Designation", "Title", "text", 100, {}),
    ("Email", "Email", "email", 100, {}),
    ("Secondary_Email", "Secondary Email", "email", 100, {}),
    ("Phone", "Phone", "phone", 30, {}),
    ("Fax", "Fax", "phone", 30, {}),
    ("Mobile", "Mobile", "phone", 30, {}),
    ("Website", "Website", "website", 120, {}),
    ("Lead_Source", "Lead Source", "picklist", 120, {"values": LEAD_SOURCES}),
    ("Lead_Status", "Lead Status", "picklist", 120, {"values": LEAD_STATUSES}),
    ("Industry", "Industry", "picklist", 120, {"values": INDUSTRIES}),
    ("No_of_Employees", "No. of Employees", "integer", 9, {}),
    ("Annual_Revenue", "Annual Revenue", "currency", 16, {}),
    ("Rating", "Rating", "picklist", 120, {"values": RATINGS}),
    ("Email_Opt_Out", "Email Opt Out", "boolean", None, {}),
    ("Skype_ID", "Skype ID", "text", 50, {}),
    ("Twitter", "Twitter", "text", 50, {}),
    ("Street", "Street", "text", 250, {}),
    ("City", "City", "text", 100, {}),
    ("State", "State", "text", 100, {}),
    ("Zip_Code", "Zip Code", "text", 30, {}),
    ("Country", "Country", "text", 100, {}),
    ("Description", "Description", "textarea", 32000, {}),
    *_COMMON_TAIL,
]

CONTACTS: list[Spec] = [
    ("Owner", "Contact Owner", "ownerlookup", 120, {}),
    ("Lead_Source", "Lead Source", "picklist", 120, {"values": LEAD_SOURCES}),
    ("Salutation", "Salutation", "picklist", 120, {"values": SALUTATIONS}),
    ("First_Name", "First Name", "text", 40, {}),
    ("Last_Name", "Last Name", "text", 80, {"mandatory": True}),
    ("Full_Name", "Contact Name", "text", 120, {}),
    ("Account_Name", "Account Name", "lookup", 120, {"lookup": "Accounts"}),
    ("Email", "Email", "email", 100, {}),
    ("Secondary_Email", "Secondary Email", "email", 100, {}),
    ("Title", "Title", "text", 100, {}),
    ("Department", "Department", "text", 100, {}),
    ("Phone", "Phone", "phone", 30, {}),
    ("Home_Phone", "Home Phone", "phone", 30, {}),
    ("Other_Phone", "Other Phone", "phone", 30, {}),
    ("Fax", "Fax", "phone", 30, {}),
    ("Mobile", "Mobile", "phone", 30, {}),
    ("Date_of_Birth", "Date of Birth", "date", 20, {}),
    ("Assistant", "Assistant", "text", 100, {}),
    ("Asst_Phone", "Asst Phone", "phone", 30, {}),
    ("Reports_To", "Reports To", "lookup", 120, {"lookup": "Contacts"}),
    ("Email_Opt_Out", "Email Opt Out", "boolean", None, {}),
    ("Skype_ID", "Skype ID", "text", 50, {}),
    ("Twitter", "Twitter", "text", 50, {}),
    ("Mailing_Street", "Mailing Street", "text", 250, {}),
    ("Mailing_City", "Mailing City", "text", 100, {}),
    ("Mailing_State", "Mailing State", "text", 100, {}),
    ("Mailing_Zip", "Mailing Zip", "text", 30, {}),
    ("Mailing_Country", "Mailing Country", "text", 100, {}),
    ("Description", "Description", "textarea", 32000, {}),
    *_COMMON_TAIL,
]

STANDARD = {"Leads": LEADS, "Contacts": CONTACTS}


def picklist_values(values: list[str], new_id: Callable[[], str]) -> list[dict]:
    """Zoho lists ``-None-`` first; clients send the ``display_value`` (Kaizen #205)."""
    entries = [{"display_value": "-None-", "actual_value": "-None-"}]
    for position, value in enumerate(values, start=1):
        entry = {"display_value": value, "actual_value": value, "sequence_number": position}
        entries.append({**entry, "id": new_id(), "type": "used"})
    return entries


def make_field(
    new_id: Callable[[], str],
    api_name: str,
    label: str,
    data_type: str,
    length: int | None = None,
    *,
    custom: bool = False,
    values: list[str] | None = None,
    lookup: str | None = None,
    mandatory: bool = False,
    unique: bool = False,
) -> dict:
    """One field as ``GET /settings/fields`` shows it (v2 keys, see zoho-crm-api.md §5.2)."""
    read_only = api_name in READ_ONLY
    return {
        "api_name": api_name,
        "field_label": label,
        "display_label": label,
        "id": new_id(),
        "data_type": data_type,
        "json_type": JSON_TYPES.get(data_type, "string"),
        "length": length,
        "decimal_place": 2 if data_type in ("double", "currency") else None,
        "custom_field": custom,
        "system_mandatory": mandatory,
        "read_only": read_only,
        "field_read_only": read_only,
        "visible": True,
        "created_source": "crm" if custom else "default",
        "unique": {"casesensitive": "0"} if unique else {},
        "pick_list_values": picklist_values(values or [], new_id),
        "lookup": _lookup(new_id, api_name, label, lookup),
        "view_type": {
            "view": True,
            "edit": not read_only,
            "create": not read_only,
            "quick_create": not read_only,
        },
        "auto_number": {},
        "formula": {},
        "currency": {},
    }


def _lookup(new_id: Callable[[], str], api_name: str, label: str, module: str | None) -> dict:
    # v2 shape, as zcrmsdk (v2) reads it: module is the related module's API name.
    if not module:
        return {}
    return {"display_label": label, "api_name": api_name, "module": module, "id": new_id()}


def standard_fields(module: str, new_id: Callable[[], str]) -> list[dict]:
    fields = []
    for api_name, label, data_type, length, extra in STANDARD[module]:
        kw = {k: v for k, v in extra.items() if k in ("values", "lookup", "mandatory")}
        fields.append(make_field(new_id, api_name, label, data_type, length, **kw))
    return fields
