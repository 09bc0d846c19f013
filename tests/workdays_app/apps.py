from django.apps import AppConfig


class WorkdaysAppConfig(AppConfig):
    """A concrete model with a working-day deadline, until a product (findings, inquiries) provides one."""

    name = "tests.workdays_app"
    label = "workdays_app"
