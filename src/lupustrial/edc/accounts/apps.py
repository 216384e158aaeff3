from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lupustrial.edc.accounts"
    label = "accounts"
    verbose_name = "Sites and roles"
