"""Side effects of changes made outside campaigns.services (the demo loader, a shell, a later coverage editor).

An activity's coverage articles are printed on the public campaign pages and under each covered article
(campaigns.links): a change of those links is a public change of the campaigns.
"""

from django.db import transaction

from campaigns.cache import CAMPAIGNS
from pingcheng.page_cache import page_product_changed


def activity_articles_changed(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        transaction.on_commit(lambda: page_product_changed(CAMPAIGNS))
