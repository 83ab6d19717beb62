from django.dispatch import Signal

# Sent after a public form submission is committed. Arguments: contact_id,
# workspace_id. The integration app subscribes to push the contact to the CRM.
contact_submitted = Signal()
