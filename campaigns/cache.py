"""The campaigns' side of the platform page cache (``pingcheng.page_cache``): the "campaigns" product, whose
pages (and the campaign parts of news pages, which call ``page_depends_on``) go stale when it changes."""

CAMPAIGNS = "campaigns"
