"""``{% load photo_words %}``: on the article form, the pictures still lacking their words, and the dialog that
asks for them right after an image is uploaded into the body (static/js/photo_words.js)."""

from django import template
from django.urls import reverse

from articles.figures import article_pictures_missing_words
from pingcheng.photos.renditions import photo_rendition_url
from pingcheng.photos.views import photo_credit_choices

register = template.Library()


@register.inclusion_tag("admin/articles/article/photo_words.html", takes_context=True)
def article_photo_words(context, article=None):
    """The list (for a saved article) and the dialog (always: the add form uploads too)."""
    missing = article_pictures_missing_words(article) if getattr(article, "pk", None) else []
    for item in missing:
        item.thumbnail = photo_rendition_url(item.photo, 480) if item.photo is not None else ""
    return {
        "missing": missing,
        "credits": list(photo_credit_choices().select_related("unit")),
        "words_url": reverse("articles:photo_words"),
        "next": context["request"].get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
