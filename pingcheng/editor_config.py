"""CKEditor 5 toolbars. No source editing, no raw-HTML embed, no media embed: what the toolbar can
produce is exactly what ``pingcheng.richtext`` lets through. Imported by settings, so no Django imports."""

_TOOLBAR = [
    "heading", "|", "bold", "italic", "link", "|", "bulletedList", "numberedList", "blockQuote", "|",
    "imageUpload", "insertTable", "|", "undo", "redo",
]  # fmt: skip

CKEDITOR_5_CONFIGS = {
    "default": {"toolbar": ["bold", "italic", "link", "|", "undo", "redo"], "language": "zh-cn"},
    "article": {
        "language": "zh-cn",
        "toolbar": {"items": _TOOLBAR, "shouldNotGroupWhenFull": True},
        "heading": {
            "options": [
                {"model": "paragraph", "title": "正文", "class": "ck-heading_paragraph"},
                {"model": "heading2", "view": "h2", "title": "小标题", "class": "ck-heading_heading2"},
                {"model": "heading3", "view": "h3", "title": "三级标题", "class": "ck-heading_heading3"},
            ]
        },
        "image": {
            # Always a block <figure class="image">, never an <img> inside a paragraph: a picture of the
            # article, with its caption and credit under it (articles.figures).
            "insert": {"type": "block"},
            "toolbar": ["imageTextAlternative", "toggleImageCaption", "|", "imageStyle:alignCenter"],
            "styles": ["alignCenter"],
        },
        "table": {"contentToolbar": ["tableColumn", "tableRow", "mergeTableCells"]},
        "link": {"defaultProtocol": "https://", "addTargetToExternalLinks": False},
    },
}
