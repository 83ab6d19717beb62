"""The mapping rules as pure functions: each rule, its verdict and its exact message."""

import pytest

from contacts.catalogue import LEAD_SOURCES, STATES
from mapping.rules import (
    FROM_ZOHO,
    TO_ZOHO,
    PleziSpec,
    check_pair,
    locked_message,
    picklist_values,
    row_problem,
)
from tests.mapping.zoho_meta import zoho_field

COMPANY = PleziSpec("company", "Company", "text", max_length=200)
CITY = PleziSpec("city", "City", "text", max_length=100)
EMAIL = PleziSpec("email", "Email", "email", max_length=254)
SCORE = PleziSpec("behaviour_score", "Behaviour score", "number")
STATE = PleziSpec("state", "State", "choice", choices=tuple(STATES))
SOURCE = PleziSpec("lead_source", "Lead source", "choice", choices=("Web", "Partner", "Ads"))
FUNCTION = PleziSpec("function", "Function", "choice", choices=("CEO", "CTO"))
OPT_OUT = PleziSpec("email_opt_out", "Email opt-out", "boolean")
BIRTHDAY = PleziSpec("birthday", "Birthday", "date")
SEATS = PleziSpec("seats", "Seats", "number")
TAGS = PleziSpec("tags", "Tags", "multi_choice", choices=("a", "b"))


def check(plezi, zoho, module="Leads"):
    return check_pair(module, plezi, zoho["api_name"], zoho)


def test_leads_allow_both_directions_for_a_compatible_pair():
    verdict = check(CITY, zoho_field("City", length=100))
    assert verdict.refused == {}
    assert verdict.warnings == {}


def test_contacts_refuse_plezi_to_zoho_and_say_why():
    verdict = check(CITY, zoho_field("Mailing_City", length=100), module="Contacts")
    assert verdict.refused == {
        TO_ZOHO: "“City”: Contacts are created and changed by your sales team in Zoho, "
        "so Plezi → Zoho is not available for Contacts."
    }
    assert verdict.allows(FROM_ZOHO)


def test_behaviour_score_only_goes_from_plezi_to_zoho():
    verdict = check(SCORE, zoho_field("score"))
    assert verdict.refused == {
        FROM_ZOHO: "Behaviour score can only be sent from Plezi to Zoho (it is computed by Plezi)."
    }


def test_state_only_goes_from_plezi_to_zoho_text_status():
    verdict = check(STATE, zoho_field("status"))
    assert verdict.refused == {
        FROM_ZOHO: "State can only be sent from Plezi to Zoho (it is computed by Plezi)."
    }


def test_behaviour_score_must_map_to_zoho_score():
    verdict = check(SCORE, zoho_field("Annual_Revenue", "currency"))
    assert verdict.refused[TO_ZOHO] == "Behaviour score can only be sent to the Zoho field “score”."


def test_zoho_score_is_reserved_for_behaviour_score():
    verdict = check(SEATS, zoho_field("Score", label="Score"))
    message = (
        "Zoho “Score” is reserved for Plezi's Behaviour score: “Seats” cannot be mapped to it."
    )
    assert verdict.refused == {TO_ZOHO: message, FROM_ZOHO: message}


def test_zoho_status_is_reserved_for_state():
    verdict = check(COMPANY, zoho_field("status"))
    assert verdict.refused[TO_ZOHO] == (
        "Zoho “status” is reserved for Plezi's State: “Company” cannot be mapped to it."
    )


def test_plezi_url_is_not_mappable_it_is_always_the_contacts_link():
    verdict = check(COMPANY, zoho_field("plezi_url"))
    assert verdict.refused[TO_ZOHO] == (
        "Zoho “plezi url” receives each contact's Plezi link automatically: "
        "“Company” cannot be mapped to it."
    )


def test_mandatory_field_must_keep_its_zoho_field():
    verdict = check(EMAIL, zoho_field("Secondary_Email", "email", length=100))
    assert verdict.refused[TO_ZOHO] == "Email is mandatory: it is always mapped to Zoho “Email”."


def test_mandatory_zoho_field_is_reserved():
    verdict = check(COMPANY, zoho_field("Last_Name", label="Last Name", length=80))
    assert verdict.refused[FROM_ZOHO] == (
        "Zoho “Last Name” is reserved for Plezi's mandatory Last name: "
        "“Company” cannot be mapped to it."
    )


def test_locked_message_per_module():
    assert locked_message("Leads", EMAIL) == (
        "Email is mandatory: it is always mapped to Zoho “Email” in both directions "
        "and cannot be changed."
    )
    assert locked_message("Contacts", EMAIL) == (
        "Email is mandatory: it is always mapped to Zoho “Email” from Zoho to Plezi "
        "and cannot be changed."
    )


def test_consent_is_not_mapped_here():
    verdict = check(OPT_OUT, zoho_field("Email_Opt_Out", "boolean", length=None))
    message = (
        "Email opt-out is not mapped here: "
        "Plezi synchronises consent with Zoho itself, whatever the mapping."
    )
    assert verdict.refused == {TO_ZOHO: message, FROM_ZOHO: message}


def test_zoho_consent_field_is_reserved():
    verdict = check(
        PleziSpec("newsletter", "Newsletter", "boolean"),
        zoho_field("Email_Opt_Out", "boolean", label="Email Opt Out", length=None),
    )
    assert verdict.refused[FROM_ZOHO] == (
        "Zoho “Email Opt Out” holds consent, which Plezi synchronises itself: "
        "“Newsletter” cannot be mapped to it."
    )


@pytest.mark.parametrize(
    ("plezi", "data_type"),
    [
        (COMPANY, "text"),
        (COMPANY, "textarea"),
        (COMPANY, "email"),
        (COMPANY, "phone"),
        (COMPANY, "website"),
        (SEATS, "integer"),
        (SEATS, "double"),
        (SEATS, "currency"),
        (SEATS, "text"),
        (BIRTHDAY, "date"),
        (PleziSpec("vip", "VIP", "boolean"), "boolean"),
    ],
)
def test_compatible_types_go_both_ways(plezi, data_type):
    assert check(plezi, zoho_field("Custom", data_type, length=None)).refused == {}


def test_choice_and_picklist_with_identical_values_go_both_ways():
    verdict = check(SOURCE, zoho_field("Source", "picklist", values=["Web", "Partner", "Ads"]))
    assert verdict.refused == {}


def test_multi_choice_maps_to_multiselect_picklist():
    verdict = check(TAGS, zoho_field("Tags", "multiselectpicklist", values=["a", "b"]))
    assert verdict.refused == {}


def test_incompatible_types_are_refused_both_ways():
    verdict = check(COMPANY, zoho_field("Annual_Revenue", "currency", length=16))
    message = (
        "“Company” is Text (single line) and Zoho “Annual Revenue” is Currency: "
        "these types are not compatible. Choose a Zoho field of a matching type."
    )
    assert verdict.refused == {TO_ZOHO: message, FROM_ZOHO: message}


def test_anything_can_be_sent_to_a_zoho_text_field_but_not_read_back():
    verdict = check(BIRTHDAY, zoho_field("Notes", "textarea", length=32000))
    assert verdict.allows(TO_ZOHO)
    assert verdict.refused[FROM_ZOHO] == (
        "Zoho “Notes” is Multi Line and cannot fill “Birthday”, which is Date: "
        "only Plezi → Zoho is available."
    )


def test_free_text_zoho_field_cannot_fill_a_plezi_choice_field():
    """The seed's "Function" warning: we refuse Zoho → Plezi rather than grow the list."""
    verdict = check(FUNCTION, zoho_field("Designation", label="Title", length=100))
    assert verdict.allows(TO_ZOHO)
    assert verdict.refused[FROM_ZOHO] == (
        "Zoho “Title” is free text: it cannot fill the choice list of “Function”, or every "
        "value typed in Zoho would become a new choice. Send “Function” from Plezi to Zoho "
        "only, or use a Zoho picklist."
    )


@pytest.mark.parametrize(
    ("zoho", "message"),
    [
        (
            zoho_field("Created_Time", "datetime", label="Created Time", read_only=True),
            "Zoho “Created Time” is read-only: Plezi cannot write it, "
            "so “Company” cannot be sent to it.",
        ),
        (
            zoho_field("Account_Name", "lookup", label="Account Name", lookup={"module": "X"}),
            "Zoho “Account Name” is a lookup (a link to another Zoho record): "
            "Plezi cannot write it, so “Company” cannot be sent to it.",
        ),
        (
            zoho_field("Owner", "ownerlookup", label="Lead Owner"),
            "Zoho “Lead Owner” is an owner field (a Zoho user): Plezi cannot write it, "
            "so “Company” cannot be sent to it.",
        ),
        (
            zoho_field("Margin", "formula", formula={"return_type": "text"}),
            "Zoho “Margin” is a formula computed by Zoho: Plezi cannot write it, "
            "so “Company” cannot be sent to it.",
        ),
        (
            zoho_field("Ticket", "autonumber"),
            "Zoho “Ticket” is numbered automatically by Zoho: Plezi cannot write it, "
            "so “Company” cannot be sent to it.",
        ),
    ],
)
def test_fields_zoho_fills_itself_cannot_be_written(zoho, message):
    assert check(COMPANY, zoho).refused[TO_ZOHO] == message


def test_a_text_formula_can_still_fill_a_plezi_text_field():
    verdict = check(COMPANY, zoho_field("Margin", "formula", formula={"return_type": "text"}))
    assert verdict.allows(FROM_ZOHO)


def test_picklist_mismatch_lists_the_values_missing_on_each_side():
    zoho = zoho_field(
        "Lead_Source", "picklist", label="Lead Source", values=["Web", "Partner", "Twitter"]
    )
    verdict = check(SOURCE, zoho)
    message = (
        "“Lead source” and Zoho “Lead Source” have different values. Missing in Zoho: Ads. "
        "Missing in Plezi: Twitter. Make the lists identical in both tools, then save again."
    )
    assert verdict.refused == {TO_ZOHO: message, FROM_ZOHO: message}


def test_picklist_extra_zoho_values_refuse_only_zoho_to_plezi():
    zoho = zoho_field("Lead_Source", "picklist", label="Lead Source", values=[*LEAD_SOURCES, "X"])
    spec = PleziSpec("lead_source", "Lead source", "choice", choices=tuple(LEAD_SOURCES))
    verdict = check(spec, zoho)
    assert verdict.allows(TO_ZOHO)
    assert verdict.refused[FROM_ZOHO] == (
        "“Lead source” and Zoho “Lead Source” have different values. Missing in Plezi: X. "
        "Make the lists identical in both tools, then save again."
    )


def test_picklist_values_ignore_zohos_none_entry():
    zoho = zoho_field("Rating", "picklist", values=["Hot", "Cold"])
    assert picklist_values(zoho) == ["Hot", "Cold"]


def test_a_plezi_text_longer_than_the_zoho_field_is_flagged_not_refused():
    verdict = check(COMPANY, zoho_field("Company", length=100))
    assert verdict.refused == {}
    assert verdict.warnings == {
        TO_ZOHO: "“Company” can hold 200 characters but Zoho “Company” only 100: "
        "longer values will be reported at sync time, never cut."
    }


def test_a_zoho_text_longer_than_the_plezi_field_is_flagged():
    verdict = check(CITY, zoho_field("Description", "textarea", length=32000))
    assert verdict.warnings == {
        FROM_ZOHO: "Zoho “Description” can hold 32000 characters but “City” only 100: "
        "longer values will be reported at sync time, never cut."
    }


def test_a_missing_zoho_field_is_refused_both_ways():
    verdict = check_pair("Leads", COMPANY, "Company", None)
    message = (
        "“Company”: the Zoho field “Company” does not exist in Leads. Choose another Zoho "
        "field, or create it in Zoho and click Refresh Zoho fields."
    )
    assert verdict.refused == {TO_ZOHO: message, FROM_ZOHO: message}


def test_row_problem_reports_a_retyped_zoho_field():
    zoho = zoho_field("Company", "textarea", length=2000)
    problem = row_problem("Leads", COMPANY, "Company", zoho, {TO_ZOHO}, mapped_type="text")
    assert problem == (
        "“Company”: Zoho “Company” changed type from Single Line to Multi Line. "
        "Check the mapping, then save it again."
    )


def test_row_problem_only_considers_enabled_directions():
    zoho = zoho_field("Notes", "textarea", length=32000)
    assert row_problem("Leads", BIRTHDAY, "Notes", zoho, {TO_ZOHO}, "textarea") == ""
    assert row_problem("Leads", BIRTHDAY, "Notes", zoho, {FROM_ZOHO}, "textarea").startswith(
        "Zoho “Notes” is Multi Line and cannot fill “Birthday”"
    )
