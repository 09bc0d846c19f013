"""The print import's second step: what to do with each story of the page (articles.importing)."""

import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from articles.importing import NEW, SKIP, UPDATE, ImportItem

CHOICE_LABELS = {NEW: _("新建草稿"), UPDATE: _("更新已有稿件"), SKIP: _("跳过，不导入")}


def preview_digest(cleaned: dict) -> str:
    """A digest of what the preview was made from (the pasted text and the placement), so that a confirm
    after the text was changed in the form is shown the new preview instead of importing unseen text."""
    text = cleaned["text"].replace("\r\n", "\n")
    placement = [
        str(cleaned.get(name) or "") for name in ("edition_date", "edition_number", "page_number", "page_name")
    ]
    return hashlib.sha256("\x1f".join([text, *placement]).encode()).hexdigest()


class ImportDecisionForm(forms.Form):
    """One choice per story: a new draft, or, for a story already in the newsroom, update it or skip it.

    Built from the preview's items, so only the choices the story allows now are valid: a choice made on an
    older preview (someone imported or published the story since) is an error the editor sees, not a write.
    """

    digest = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, items: list[ImportItem], digest: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.expected_digest = digest
        self.fields["digest"].initial = digest
        for item in items:
            self.fields[self.field_name(item)] = forms.ChoiceField(
                label=_("第%(n)d篇的处理方式") % {"n": item.number},
                choices=[(choice, CHOICE_LABELS[choice]) for choice in item.choices],
                initial=item.choices[0],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("请为第%(n)d篇选择处理方式。") % {"n": item.number},
                    "invalid_choice": _("第%(n)d篇的已有稿件在预览之后有了变化，原来的选择已不适用，请重新选择。")
                    % {"n": item.number},
                },
            )

    @staticmethod
    def field_name(item: ImportItem) -> str:
        return f"story_{item.number}"

    def clean_digest(self) -> str:
        digest = self.cleaned_data["digest"]
        if digest != self.expected_digest:
            raise forms.ValidationError(
                _("版面文字或见报版面在预览之后改动过。请核对下面按改动后的文字生成的预览，再确认导入。"),
                code="preview_stale",
            )
        return digest

    def rows(self) -> list[tuple[ImportItem, forms.BoundField]]:
        return [(item, self[self.field_name(item)]) for item in self.items]

    def decisions(self) -> dict[int, str]:
        return {item.number: self.cleaned_data[self.field_name(item)] for item in self.items}
