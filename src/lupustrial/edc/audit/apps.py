from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lupustrial.edc.audit"
    label = "audit"
    verbose_name = "Audit trail"
