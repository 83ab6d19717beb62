from django.dispatch import Signal

# Sent inside a public form submission's transaction, so what a receiver writes
# commits or rolls back with the contact (the integration's sync request: a
# submission is never without its push). Receivers act on other systems only
# after commit. Arguments: contact_id, workspace_id.
contact_submitted = Signal()
