from django.urls import path, register_converter

from pingcheng.notices import public_views


class TokenConverter:
    """A subscriber token's alphabet (``secrets.token_urlsafe``): anything else is a 404, not a lookup."""

    regex = r"[A-Za-z0-9_-]{20,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "subscriber_token")

app_name = "subscriptions"

urlpatterns = [
    path("", public_views.subscribe, name="subscribe"),
    path("verify/", public_views.verify, name="verify"),
    path("confirm/<subscriber_token:token>/", public_views.confirm, name="confirm"),
    path("manage/<subscriber_token:token>/", public_views.manage, name="manage"),
    path("unsubscribe/<subscriber_token:token>/", public_views.unsubscribe, name="unsubscribe"),
]
