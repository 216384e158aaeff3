from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lupustrial.edc.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from lupustrial.edc.audit import signals  # noqa: F401  (connects the login receivers)
