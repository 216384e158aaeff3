from django.apps import AppConfig


class DeviationsConfig(AppConfig):
    name = "lupustrial.edc.deviations"
    label = "deviations"
    verbose_name = "Protocol deviations"
