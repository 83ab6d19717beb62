from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("contacts.urls")),
    path("", include("mapping.urls")),
    path("", include("integration.urls.connection")),
    path("", include("integration.urls.sync")),
]
