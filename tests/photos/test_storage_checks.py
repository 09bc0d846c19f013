"""Photo masters (and the private renditions beside them) must never be under MEDIA_ROOT, which is served as is."""

import pytest

from pingcheng.photos.checks import check_photo_masters_outside_media


def test_the_default_layout_passes(settings, tmp_path):
    settings.MEDIA_ROOT, settings.PHOTO_MASTER_ROOT = tmp_path / "media", tmp_path / "photo-masters"
    assert check_photo_masters_outside_media() == []


@pytest.mark.parametrize("masters", ["media", "media/private", "."])
def test_masters_inside_media_or_around_it_are_an_error(settings, tmp_path, masters):
    settings.MEDIA_ROOT, settings.PHOTO_MASTER_ROOT = tmp_path / "media", tmp_path / masters
    assert [error.id for error in check_photo_masters_outside_media()] == ["photos.E001"]
