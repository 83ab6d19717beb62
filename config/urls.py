from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links; the icon is an SVG.
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("contacts.urls")),
    path("", include("mapping.urls")),
    path("", include("integration.urls.connection")),
    path("", include("integration.urls.sync")),
]
