"""Photo pipeline: validate, re-encode and make renditions for a 12-megapixel JPEG."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bench.timing import measure


def run() -> None:
    from pingcheng.photos.services import photo_create

    buffer = io.BytesIO()
    Image.effect_noise((4000, 3000), 40).convert("RGB").save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    timing = measure(lambda: photo_create(file=SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")),
                     repeat=5, warmup=1)  # fmt: skip
    print(f"photo_create 4000x3000 JPEG ({len(data) // 1024} KiB): median {timing['median_ms']} ms, "
          f"p90 {timing['p90_ms']} ms")
