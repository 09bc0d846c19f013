from django.conf import settings


def site(request) -> dict:
    return {"SITE_NAME": settings.SITE_NAME, "SITE_SLOGAN": settings.SITE_SLOGAN}
