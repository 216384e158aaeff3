from django.apps import AppConfig


class PharmacyConfig(AppConfig):
    name = "lupustrial.edc.pharmacy"
    label = "pharmacy"
    verbose_name = "Drug accountability"
