from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lupustrial.edc.accounts"
    label = "accounts"
    verbose_name = "Sites and roles"

    def ready(self) -> None:
        from lupustrial.edc.accounts import signals  # noqa: F401  (sign-in events, through the services)
