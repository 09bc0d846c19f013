from django.conf import settings


def site(request) -> dict:
    # Translated here, once a request: a lazy string is translated again wherever a page prints it and whenever
    # it is compared or hashed (the site shell's memo keys hold them), twenty times a page.
    return {"SITE_NAME": str(settings.SITE_NAME), "SITE_SLOGAN": str(settings.SITE_SLOGAN)}
