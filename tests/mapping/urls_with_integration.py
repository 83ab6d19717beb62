"""The project's URLs, with stand-ins for the integration URLs the mapping page links to
while the integration app does not provide them yet."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns


def stand_in(request, workspace_slug):
    return HttpResponse("integration stand-in")


stand_ins = (
    [
        path("w/<slug:workspace_slug>/zoho/", stand_in, name="connection"),
        path("w/<slug:workspace_slug>/zoho/refresh-fields/", stand_in, name="refresh_fields"),
    ],
    "integration",
)

urlpatterns = list(project_urlpatterns)
if not any(getattr(p, "namespace", None) == "integration" for p in urlpatterns):
    urlpatterns.append(path("", include(stand_ins)))
