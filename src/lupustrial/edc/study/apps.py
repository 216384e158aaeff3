from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "lupustrial.edc.study"
    label = "study"
    verbose_name = "Study"
