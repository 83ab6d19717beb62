from django.dispatch import Signal

# Sent once a new workspace is committed; apps that own per-workspace defaults
# (the contact field catalogue) set them up. Arguments: workspace.
workspace_created = Signal()
