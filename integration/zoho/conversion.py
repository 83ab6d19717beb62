"""What Zoho's lead conversion copies to the new Contact without an admin mapping it.

Setup → Lead Conversion Mapping starts from Zoho's standard mapping (a Lead field to
the Contact field of the same meaning); custom fields are copied only where an admin
mapped them (zoho-crm-api.md §10). So on a fresh Contact, a blank standard field was
blank on the lead (or cleared since); a blank custom field may never have been copied.
"""

# Lead API name -> Contact API name.
STANDARD_CONVERSION = {
    "Salutation": "Salutation",
    "First_Name": "First_Name",
    "Last_Name": "Last_Name",
    "Email": "Email",
    "Secondary_Email": "Secondary_Email",
    "Phone": "Phone",
    "Fax": "Fax",
    "Mobile": "Mobile",
    "Lead_Source": "Lead_Source",
    "Designation": "Title",
    "Email_Opt_Out": "Email_Opt_Out",
    "Skype_ID": "Skype_ID",
    "Twitter": "Twitter",
    "Street": "Mailing_Street",
    "City": "Mailing_City",
    "State": "Mailing_State",
    "Zip_Code": "Mailing_Zip",
    "Country": "Mailing_Country",
    "Description": "Description",
}
