from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lupustrial.edc.api"
    label = "edc_api"
    verbose_name = "JSON API"
