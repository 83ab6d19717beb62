"""A marketer's first hour, in a real browser: the seed's steps from login to a synced form.

Log in, create a Self Client and a code in the sandbox's developer console, fill the Zoho
configuration, add the missing plezi_url field, adjust the mapping, synchronise, read the
run's issues, submit a public form from a private window, and see the contact linked.
"""

import re
import time

from playwright.sync_api import expect

from contacts.bot_traps import MIN_FILL_SECONDS

SCOPE = "ZohoCRM.settings.fields.all,ZohoCRM.modules.all"
# A phone number as sales reps type it in Zoho, which Plezi's phone field does not accept.
ODD_PHONE = "+1 555 0100 ext. 12"
ODD_LEAD = {"Last_Name": "Extension", "Email": "ext@zoho-side.test", "Phone": ODD_PHONE}
VISITOR = "visitor@example.test"


def test_marketer_connects_maps_synchronises_and_a_form_reaches_zoho(
    marketer, sandbox, page, new_context, screenshot
):
    slug = marketer.workspace.slug
    # 1. Log in. 2. The seed's steps in Zoho's API console (the sandbox's).
    log_in(page, marketer)
    screenshot(page, "01-logged-in")

    client_id, client_secret, code, org, crm_url = self_client_from_console(
        page, sandbox, screenshot
    )

    # 3. The configuration form, field by field as the seed lists them.
    page.goto(marketer.url(f"/w/{slug}/zoho/"))
    field(page, "Zoho Client").fill(client_id)
    field(page, "Zoho Client Secret").fill(client_secret)
    field(page, "Zoho Org").fill(org)
    field(page, "Zoho code").fill(code)
    field(page, "Zoho domain").select_option("sandbox")
    expect(field(page, "Zoho CRM URL")).to_have_value(crm_url)  # prefilled from the domain
    expect(field(page, "Zoho contact field")).to_have_value("")
    screenshot(page, "03-configuration-form")
    page.get_by_role("button", name="Update your configuration").click()
    expect(page.get_by_role("alert").filter(has_text="Zoho CRM is connected")).to_be_visible()

    # 4. The connection state, and what to create in Zoho.
    expect(page.get_by_role("heading", name=re.compile("Connection"))).to_contain_text("Connected")
    expect(page.get_by_text(org, exact=True)).to_be_visible()
    fields = page.get_by_role("table", name="Custom Leads fields Plezi needs in Zoho")
    plezi_url_row = fields.get_by_role("row").filter(has_text="plezi_url")
    expect(plezi_url_row).to_contain_text("Required")
    expect(plezi_url_row).to_contain_text("Missing")
    expect(
        page.get_by_text(re.compile(r"To create plezi_url:.*Edit Page Layout", re.S))
    ).to_be_visible()
    screenshot(page, "04-configuration")
    # What the seed asks the customer to create in Zoho: plezi_url, and score to receive it.
    sandbox.add_field("Leads", "plezi_url", "plezi_url", "text")
    sandbox.add_field("Leads", "score", "score", "text")
    page.get_by_role("button", name="Refresh Zoho fields").click()
    expect(page.get_by_role("alert").filter(has_text="Zoho fields refreshed")).to_be_visible()
    expect(plezi_url_row).to_contain_text("Present")
    expect(fields.get_by_role("row").filter(has_text="score")).to_contain_text("Present")
    screenshot(page, "04-configuration-plezi-url-present")

    # 5. The mapping: City no longer comes from Zoho, and score (created after connecting,
    # so not proposed) receives the behaviour score, as the seed says.
    page.get_by_role("link", name="Review the field mapping").click()
    expect(page).to_have_url(re.compile(f"/w/{slug}/mapping/leads/$"))
    fill_city = page.get_by_label("Fill City from Zoho")
    expect(fill_city).to_be_checked()
    fill_city.uncheck()
    page.get_by_label("Zoho field for Behaviour score").select_option("score")
    page.get_by_label("Send Behaviour score from Plezi to Zoho").check()
    page.get_by_role("button", name="Save the mapping").click()
    saved = page.get_by_role("alert").filter(has_text="Mapping saved: 2 fields changed.")
    expect(saved).to_be_visible()
    expect(page.get_by_label("Fill City from Zoho")).not_to_be_checked()
    expect(page.get_by_label("Zoho field for Behaviour score")).to_have_value("score")
    expect(page.get_by_label("Send Behaviour score from Plezi to Zoho")).to_be_checked()
    # Zoho → Plezi cannot even be ticked for the behaviour score; the page says why.
    expect(page.get_by_label("Fill Behaviour score from Zoho")).to_be_disabled()
    expect(
        page.get_by_text("Behaviour score and State are only ever sent from Plezi to Zoho.")
    ).to_be_visible()
    screenshot(page, "05-mapping")
    scroll_to_top(page.get_by_role("row").filter(has=page.get_by_label("Fill City from Zoho")))
    screenshot(page, "05-mapping-rows")
    page.get_by_label("Zoho field for Behaviour score").select_option("City")
    page.get_by_label("Send Behaviour score from Plezi to Zoho").check()
    page.get_by_role("button", name="Save the mapping").click()
    refusal = page.get_by_role("alert").filter(has_text="Behaviour score")
    expect(refusal).to_contain_text("can only be sent to the Zoho field “score”")
    # The refused row keeps the choice, marked in error on the row itself.
    expect(page.get_by_label("Zoho field for Behaviour score")).to_have_value("City")
    score_row = page.get_by_role("row").filter(
        has=page.get_by_label("Zoho field for Behaviour score")
    )
    expect(score_row).to_contain_text("Error")
    expect(score_row).to_contain_text("can only be sent to the Zoho field “score”")
    screenshot(page, "05-mapping-refusal")

    # 6. Synchronise now: a lead a sales rep typed in Zoho comes along.
    sandbox.create_records("Leads", [ODD_LEAD])
    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("Sync")).click()
    expect(page).to_have_url(re.compile(f"/w/{slug}/sync/$"))
    page.get_by_role("button", name="Synchronise now").click()
    expect(page.get_by_role("alert").filter(has_text="Synchronisation started")).to_be_visible()
    bar = page.get_by_role("progressbar", name="Synchronisation progress")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#current-run")).to_contain_text("Read from Zoho")
    # The run ended: the history below was fetched again, without a reload.
    expect(page.locator("#run-history tbody tr").first).to_contain_text("Synchronise now")
    screenshot(page, "06-history")

    # 7. The run: its counts and the lead Plezi could not take whole.
    page.locator("#current-run").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(f"/w/{slug}/sync/runs/\\d+/$"))
    for label, value in (("Read from Zoho", "1"), ("Sent to Zoho", "4"), ("Failed", "1")):
        expect(page.locator(f'#run-counts dt:text-is("{label}") + dd')).to_have_text(value)
    issue = page.get_by_role("row").filter(has_text=ODD_LEAD["Email"])
    expect(issue).to_contain_text("UNKNOWN_VALUE")
    expect(issue).to_contain_text("Phone")
    issue.scroll_into_view_if_needed()
    screenshot(page, "07-run")
    ada = next(r for r in sandbox.records("Leads") if r["Email"] == "ada@lovelace.test")
    assert ada["plezi_url"].startswith(marketer.url(f"/w/{slug}/contacts/"))
    assert ada["score"] == "0"

    # 8. A public form, sent from a private window: the lead reaches Zoho within seconds.
    public_url = create_form(page, marketer)
    visitor = new_context().new_page()
    visitor.goto(public_url)
    field(visitor, "Email").fill(VISITOR)
    field(visitor, "First name").fill("Vera")
    field(visitor, "Last name").fill("Visitor")
    # Playwright types at once; a person takes longer than the bot trap's minimum.
    visitor.wait_for_timeout(MIN_FILL_SECONDS * 1000 + 200)
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_text("Thanks, we will be in touch.")).to_be_visible()
    screenshot(visitor, "08-public-form-sent")
    lead = wait_for_lead(sandbox, VISITOR, seconds=10)
    assert lead["Last_Name"] == "Visitor"
    assert lead["plezi_url"].startswith(marketer.url(f"/w/{slug}/contacts/"))

    # 9. The contact's page shows the link to the Zoho lead.
    page.goto(lead["plezi_url"])
    panel = page.get_by_role("region", name="Zoho CRM sync")
    expect(panel).to_contain_text(f"Linked to Zoho Lead {lead['id']}")
    screenshot(page, "09-contact")


def field(page, label: str):
    """The input labelled `label` (crispy-forms appends "*" to required fields' labels)."""
    return page.get_by_label(re.compile(f"^\\s*{re.escape(label)}\\s*\\*?\\s*$"))


def scroll_to_top(locator) -> None:
    # "instant": Bootstrap makes scrolling smooth, which a screenshot would catch halfway.
    locator.evaluate("element => element.scrollIntoView({block: 'start', behavior: 'instant'})")


def log_in(page, marketer) -> None:
    page.goto(marketer.url("/accounts/login/"))
    field(page, "Email").fill(marketer.email)
    field(page, "Password").fill(marketer.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()


def self_client_from_console(page, sandbox, screenshot) -> tuple[str, str, str, str, str]:
    """The seed's steps in Zoho's API console: a Self Client, then a code with both scopes."""
    console = page.context.new_page()
    console.goto(sandbox.base_url + "/")
    console.get_by_role("button", name="Create a self client").click()
    clients = console.get_by_role("table").filter(
        has=console.get_by_role("columnheader", name="Client Secret")
    )
    client_row = clients.get_by_role("row").filter(has=console.get_by_role("cell"))
    client_id = client_row.get_by_role("cell").nth(0).inner_text()
    client_secret = client_row.get_by_role("cell").nth(1).inner_text()
    console.get_by_label("Client").select_option(client_id)
    console.get_by_label("Scope").fill(SCOPE)
    console.get_by_label("Time duration").select_option(label="10 minutes")
    console.get_by_role("button", name="Create", exact=True).click()
    notice = console.get_by_text("Your code (valid 10 minutes, single use)")
    code = notice.locator("code").inner_text()
    org = row_value(console, "Zoho Org")
    crm_url = row_value(console, "Zoho CRM URL")
    assert org == sandbox.org()["domain_name"]
    screenshot(console, "02-sandbox-console")
    page.bring_to_front()
    return client_id, client_secret, code, org, crm_url


def row_value(page, header: str) -> str:
    return page.get_by_role("row", name=header).get_by_role("cell").inner_text()


def create_form(page, marketer) -> str:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Forms").click()
    page.get_by_role("link", name="New form").first.click()
    field(page, "Name").fill("Newsletter")
    page.get_by_label("First name").check()
    page.get_by_label("Last name").check()
    field(page, "Thank you message").fill("Thanks, we will be in touch.")
    page.get_by_role("button", name="Save form").click()
    return page.get_by_label("Public link").input_value()


def wait_for_lead(sandbox, email: str, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        leads = [r for r in sandbox.records("Leads") if (r.get("Email") or "").lower() == email]
        if leads or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert len(leads) == 1, f"{email} is not in Zoho's Leads after {seconds} s"
    return leads[0]
