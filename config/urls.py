from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("contacts.urls")),
    path("", include("mapping.urls")),
    path("", include("integration.urls.connection")),
    path("", include("integration.urls.sync")),
]
