from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.selectors import workspaces_of


@login_required
def home(request):
    """Straight to the user's first workspace, or a page explaining they have none."""
    workspace = workspaces_of(request.user).first()
    if workspace is None:
        return render(request, "accounts/no_workspace.html", status=403)
    return redirect("contacts:list", workspace_slug=workspace.slug)


@login_required
def workspace_list(request):
    return render(request, "accounts/workspace_list.html")
