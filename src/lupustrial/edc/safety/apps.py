from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "lupustrial.edc.safety"
    label = "safety"
    verbose_name = "Safety reporting"
