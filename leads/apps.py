from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Lead CRM"

    def ready(self) -> None:
        # Registers the OpenAPI extensions with drf-spectacular.
        from leads.api import openapi  # noqa: F401
