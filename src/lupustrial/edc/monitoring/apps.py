from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "lupustrial.edc.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
