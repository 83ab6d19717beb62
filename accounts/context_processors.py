from accounts.selectors import workspaces_of


def workspaces(request):
    """The navbar's workspace switcher: the user's workspaces and the current one."""
    return {
        "user_workspaces": workspaces_of(request.user),
        "current_workspace": getattr(request, "workspace", None),
        "current_membership": getattr(request, "membership", None),
    }
