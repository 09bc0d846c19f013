"""The campaigns' answer to "which records show this photo, and may this user change them".

Registered with ``pingcheng.photos.access`` in ``CampaignsConfig.ready()``. Without it a field photo looked
unused to the photo library, so its uploader could delete it there and take it off the activity, the finding's
rectification record and the public timeline.
"""

from django.utils.translation import gettext as _

from campaigns import access
from campaigns.models import Activity, Finding
from pingcheng.photos.access import PhotoUsage


def campaign_photo_usages(*, photo, user) -> list[PhotoUsage]:
    usages = [
        PhotoUsage(
            label=_("活动《%(title)s》") % {"title": activity.title},
            may_change=access.user_may_log_for(user, activity.unit),
        )  # fmt: skip
        for activity in Activity.objects.filter(photos=photo).select_related("unit")
    ]
    usages += [
        PhotoUsage(
            label=_("问题隐患“%(location)s”") % {"location": finding.location},
            may_change=access.user_may_log_for(user, finding.activity.unit),
        )  # fmt: skip
        for finding in Finding.objects.filter(photos=photo).select_related("activity__unit")
    ]
    return usages
