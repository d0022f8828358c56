from django.urls import include, path

from leads.api.views.health import HealthView

urlpatterns = [
    path("healthz", HealthView.as_view(), name="healthz"),
    path("api/", include("leads.api.urls")),
]
