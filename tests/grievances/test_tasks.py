"""The sweeps: run twice (or late) and each step happens once."""

import datetime as dt

import pytest
from django.utils import timezone

from grievances import services, tasks
from grievances.models import Inquiry, InquiryEvent
from pingcheng.notices.models import Notice
from tests.grievances.desk_world import submit

pytestmark = pytest.mark.django_db
S = Inquiry.Status
A = InquiryEvent.Action


def _answered(w, *, answered_at):
    inquiry = submit(w)
    services.inquiry_accept(inquiry=inquiry, by=w.union_handler)
    services.inquiry_answer(inquiry=inquiry, by=w.union_handler, text="答复。")
    Inquiry.objects.filter(pk=inquiry.pk).update(answered_at=answered_at)
    return inquiry


def test_auto_close_after_five_working_days_without_rating_runs_once(desk_world):
    old = _answered(desk_world, answered_at=dt.datetime(2026, 9, 21, 10, tzinfo=dt.UTC))
    fresh = _answered(desk_world, answered_at=timezone.now())
    today = dt.date(2026, 9, 29)  # Monday 21st + 5 working days = Monday 28th
    assert services.inquiries_close_unrated(today=today) == 1
    assert services.inquiries_close_unrated(today=today) == 0
    old.refresh_from_db()
    assert old.status == S.CLOSED and old.events.filter(action=A.AUTO_CLOSED).count() == 1
    assert Inquiry.objects.get(pk=fresh.pk).status == S.ANSWERED


def test_auto_close_leaves_an_inquiry_answered_four_working_days_ago(desk_world):
    inquiry = _answered(desk_world, answered_at=dt.datetime(2026, 9, 21, 10, tzinfo=dt.UTC))
    assert services.inquiries_close_unrated(today=dt.date(2026, 9, 25)) == 0
    assert Inquiry.objects.get(pk=inquiry.pk).status == S.ANSWERED


def test_a_rated_inquiry_closes_at_the_next_sweep_via_the_task(desk_world):
    inquiry = _answered(desk_world, answered_at=timezone.now())
    services.inquiry_rate(inquiry=inquiry, rating="satisfied")
    assert tasks.inquiries_close_unrated() == 1
    assert tasks.inquiries_close_unrated() == 0
    assert Inquiry.objects.get(pk=inquiry.pk).events.filter(action=A.CLOSED).count() == 1


def test_due_soon_reminder_goes_once_per_deadline(desk_world):
    inquiry = submit(desk_world)
    day_before = dt.date(2026, 12, 3)
    Inquiry.objects.filter(pk=inquiry.pk).update(deadline_due=dt.date(2026, 12, 4))
    assert services.inquiries_remind_due(today=day_before) == 1
    assert services.inquiries_remind_due(today=day_before) == 0
    assert Notice.objects.filter(kind="inquiry_due_soon", user=desk_world.union_handler, channel="inbox").count() == 1


def test_overdue_goes_to_the_supervisors_once_and_again_after_an_extension(desk_world):
    inquiry = submit(desk_world)
    Inquiry.objects.filter(pk=inquiry.pk).update(deadline_due=dt.date(2026, 11, 2))
    assert services.inquiries_escalate_overdue(today=dt.date(2026, 11, 30)) == 1
    assert services.inquiries_escalate_overdue(today=dt.date(2026, 11, 30)) == 0
    assert Notice.objects.filter(kind="inquiry_overdue", user=desk_world.supervisor, channel="inbox").count() == 1
    assert not Notice.objects.filter(kind="inquiry_overdue", user=desk_world.union_handler).exists()


def test_retention_erases_closed_inquiries_after_the_period_only(desk_world, settings):
    settings.INQUIRY_RETENTION_DAYS = 30
    old = _answered(desk_world, answered_at=timezone.now())
    services.inquiry_close(inquiry=old, by=desk_world.supervisor)
    Inquiry.objects.filter(pk=old.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    recent = _answered(desk_world, answered_at=timezone.now())
    services.inquiry_close(inquiry=recent, by=desk_world.supervisor)
    open_one = submit(desk_world)
    assert tasks.inquiries_erase_expired() == 1
    assert tasks.inquiries_erase_expired() == 0
    old.refresh_from_db()
    assert old.phone == "" and old.personal_data_erased_at is not None
    assert Inquiry.objects.get(pk=recent.pk).phone and Inquiry.objects.get(pk=open_one.pk).phone


def test_delivered_resident_sms_loses_its_phone_at_the_next_sweep(desk_world):
    submit(desk_world)
    sms = Notice.objects.get(kind="inquiry_resident_update")
    assert sms.recipient
    assert tasks.inquiry_notices_erase_addresses() == 0  # not yet delivered: kept to send it
    Notice.objects.filter(pk=sms.pk).update(status=Notice.Status.SENT, sent_at=timezone.now())
    assert tasks.inquiry_notices_erase_addresses() == 1
    sms.refresh_from_db()
    assert sms.recipient == "" and sms.recipient_hint == "138****5678"


def test_retention_deletes_the_residents_photos(desk_world, settings, tmp_path):
    import io

    from PIL import Image

    from pingcheng.photos.models import Photo
    from pingcheng.photos.services import photo_create

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INQUIRY_RETENTION_DAYS = 30
    data = io.BytesIO()
    Image.new("RGB", (64, 48), "#4a7ab0").save(data, "JPEG")
    data.seek(0)
    photo = photo_create(file=data, caption="", uploaded_by=None)
    inquiry = submit(desk_world, photos=[photo])
    assert inquiry.photos.count() == 1
    Inquiry.objects.filter(pk=inquiry.pk).update(status=S.CLOSED, closed_at=timezone.now() - dt.timedelta(days=31))
    assert services.inquiries_erase_expired() == 1
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert inquiry.photos.count() == 0
