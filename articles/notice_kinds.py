"""The newsroom's notice kinds, registered from ``ArticlesConfig.ready()``.

Each goes in the back-office inbox, and by e-mail when the account has an address: returns and publications
to the article's author, "your turn" to the reviewers of the level an article has reached.
"""

from django.utils.translation import gettext_lazy as _

from pingcheng.notices.kinds import kind_register
from pingcheng.notices.models import Notice

kind_register(
    name="article_returned",
    channels={Notice.Channel.INBOX, Notice.Channel.EMAIL},
    description=_("稿件被退回：审稿人写明意见，请作者修改后重新送审"),
)
kind_register(
    name="article_published",
    channels={Notice.Channel.INBOX, Notice.Channel.EMAIL},
    description=_("稿件已发布：告知作者稿件已在网站上发布"),
)
kind_register(
    name="article_review_due",
    channels={Notice.Channel.INBOX, Notice.Channel.EMAIL},
    description=_("轮到您审稿：稿件已送到您所在的审级（初审、复审或终审）"),
)
