"""What a review of issue 10 found by using the newsroom as its staff would, and by sending what a browser
never would: each test names a way an edit, a schedule or a page went wrong, and what happens now."""

import pytest
from django.urls import reverse

from articles.models import Article

pytestmark = pytest.mark.django_db
S = Article.Status


def _add_form_data(client) -> dict:
    """What the new-article page posts with a headline and a body and nothing else filled in."""
    response = client.get(reverse("admin:articles_article_add"))
    data = {"headline": "新写的稿件", "dateline": Article.Dateline.BENBAO_XUN, "body": "<p>正文。</p>"}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
    return data


@pytest.mark.parametrize("step", ["pass", "return"])
def test_a_decision_posted_with_a_new_article_is_refused_not_a_server_error(client, desk, step):
    client.force_login(desk["editor"])
    data = {**_add_form_data(client), "_workflow": step, "review_opinion": "意见"}
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert "新稿件只能保存或送审" in response.text
    assert not Article.objects.exists()
