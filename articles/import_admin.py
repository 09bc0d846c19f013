"""The back office's print import (导入版面文字): paste a page, see what the import would do, confirm.

The first POST shows the preview: every story found, with its byline, what the editor has to check and,
for a story already in the newsroom, the existing article and the choice to update or skip it. Only the
confirm (with the same text and placement as the preview) writes anything, through
``articles.importing.page_import``.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from articles import access
from articles.forms import PageImportForm
from articles.import_forms import ImportDecisionForm, preview_digest
from articles.importing import SKIP, Placement, page_import, page_import_preview
from pingcheng.errors import DomainError

TEMPLATE = "admin/articles/article/import.html"


def _placement(cleaned: dict) -> Placement | None:
    if not cleaned["edition_date"]:
        return None
    return Placement(edition_date=cleaned["edition_date"], edition_number=cleaned["edition_number"],
                     page_number=cleaned["page_number"], page_name=cleaned["page_name"])  # fmt: skip


def _done_message(result) -> str:
    parts = []
    if result.created:
        parts.append(_("新建草稿 %(n)d 篇") % {"n": len(result.created)})
    if result.updated:
        parts.append(_("更新已有稿件 %(n)d 篇") % {"n": len(result.updated)})
    if result.skipped:
        parts.append(_("跳过 %(n)d 篇") % {"n": len(result.skipped)})
    return _("导入完成：%(what)s。请逐篇核对标题、署名和正文后再送审。") % {"what": "，".join(parts)}


def page_import_view(request, *, admin_site, opts):
    """Reviewers only (``access.user_may_import``); other newsroom members are told why."""
    if not access.user_is_newsroom(request.user):
        return redirect("admin:index")
    context = {**admin_site.each_context(request), "title": _("导入版面文字"), "opts": opts}
    if not access.user_may_import(request.user):
        # Said on the page rather than a bare 403, so a newsroom member who followed a link learns why.
        refused = _("只有编辑、副总编辑和总编辑可以导入版面文字。您的稿件请新建草稿撰写后送审。")
        return TemplateResponse(request, TEMPLATE, {**context, "refused": refused}, status=403)
    form = PageImportForm(request.POST or None)
    context["form"] = form
    if request.method != "POST" or not form.is_valid():
        return TemplateResponse(request, TEMPLATE, context)
    cleaned = form.cleaned_data
    placement = _placement(cleaned)
    try:
        preview = page_import_preview(text=cleaned["text"], by=request.user, placement=placement)
    except DomainError as refused:
        form.add_error(None, refused.text)
        return TemplateResponse(request, TEMPLATE, context)
    if not preview.items:
        form.add_error("text", _("没有识别出稿件。请确认粘贴的是整版文字，标题与正文之间有换行。"))
        return TemplateResponse(request, TEMPLATE, context)

    confirming = request.POST.get("action") == "confirm"
    decisions = ImportDecisionForm(request.POST if confirming else None, items=preview.items,
                                   digest=preview_digest(cleaned))  # fmt: skip
    if confirming and decisions.is_valid():
        try:
            result = page_import(text=cleaned["text"], by=request.user, placement=placement,
                                 decisions=decisions.decisions())  # fmt: skip
        except DomainError as refused:
            decisions.add_error(None, refused.text)
        else:
            messages.success(request, _done_message(result))
            chosen = decisions.decisions()
            to_check = sum(1 for item in preview.items if item.warnings and chosen[item.number] != SKIP)
            if to_check:
                messages.warning(request, _("其中 %(n)d 篇有待核对的问题（开头或结尾不完整、跨栏拼接、缺少署名等），"
                                            "已写入各稿件的“稿件日志”。") % {"n": to_check})  # fmt: skip
            changelist = reverse("admin:articles_article_changelist")
            if not result.articles:
                return redirect(changelist)
            return redirect(f"{changelist}?id__in={','.join(str(article.pk) for article in result.articles)}")
    context.update({"preview": preview, "decisions": decisions, "placement": placement})
    return TemplateResponse(request, TEMPLATE, context)
