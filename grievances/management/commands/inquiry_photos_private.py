"""Move the renditions of inquiry photos stored before they were kept private out of MEDIA_ROOT.

Inquiry photos are personal data: new ones never reach MEDIA_ROOT (``photo_create(private=True)``) and staff
see them through the desk's photo view. Photos filed earlier still had public renditions under /media/; this
moves them beside their masters. Safe to run again: a photo already private is left alone.
"""

from django.core.management.base import BaseCommand

from grievances.models import InquiryPhoto
from pingcheng.photos.models import Photo
from pingcheng.photos.services import photo_make_private


class Command(BaseCommand):
    help = "把诉求图片的尺寸版本移出 MEDIA_ROOT（个人信息，只经诉求办理页面查看）。"

    def handle(self, *args, **options):
        photos = Photo.objects.filter(pk__in=InquiryPhoto.objects.values("photo_id")).order_by("pk")
        moved = sum(photo_make_private(photo) for photo in photos.iterator())
        self.stdout.write(f"moved: {moved}")
