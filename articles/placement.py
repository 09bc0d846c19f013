from datetime import date

from django.db import transaction

from articles.models import Edition, Page


@transaction.atomic
def page_get_or_create(*, date: date, number: int, page_number: int, page_name: str, editor: str = "") -> Page:
    """The printed page an article appeared on; the edition is found by date and keeps its first number."""
    edition, _created = Edition.objects.get_or_create(date=date, defaults={"number": number})
    page, _created = Page.objects.get_or_create(
        edition=edition, number=page_number, defaults={"name": page_name, "editor": editor}
    )
    return page
