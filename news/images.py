"""Photos: what an upload must be, how it is cleaned, and the renditions the pages use.

Hand-written over Pillow rather than django-imagekit: we need the cleaning (EXIF out, orientation in,
bomb checks) on the stored original too, and four fixed renditions recorded with their sizes.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# Pillow's JPEG opener also reads MPO, the JPEG variant many phones write (its first frame is used).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
ORIGINAL_MAX_EDGE = 2400


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int | None  # None keeps the aspect ratio


# Card and thumbnail crops for lists, a full-width page image, and the OpenGraph size for sharing.
RENDITIONS = (
    Rendition("thumb", 240, 160),
    Rendition("card", 480, 320),
    Rendition("page", 960, None),
    Rendition("page_2x", 1600, None),
    Rendition("og", 1200, 630),
)


def _open(data: bytes) -> Image.Image:
    """Open an upload for reading its header, raising ValidationError with a message a reporter understands."""
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") or b"<svg" in head:
        raise ValidationError(_("SVG 파일은 올릴 수 없습니다. JPEG, PNG, WebP 사진을 올려 주세요."), code="svg")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x the limit; treat any excess as a bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the accepted decoders ever parse an upload; open() reads the header alone.
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            # Our limit, on the header, before any pixel is decoded: Image.MAX_IMAGE_PIXELS is one global
            # for the whole process that any library may change or switch off (None).
            if image.width * image.height > settings.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{image.width}x{image.height}")
            # load() decodes every pixel, so a truncated file fails here as a form error, not while saving.
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("사진이 너무 큽니다(%(limit)s 화소 초과). 크기를 줄여서 올려 주세요.")
            % {"limit": f"{settings.MAX_IMAGE_PIXELS:,}"},
            code="too_many_pixels",
        ) from None
    except Exception as error:
        raise ValidationError(
            _("사진 파일이 아니거나 손상된 파일입니다. JPEG, PNG, WebP, GIF 사진을 올려 주세요."), code="not_an_image"
        ) from error
    return image


def validate_photo(upload) -> None:
    """Model-field validator: size, SVG, real image, format and pixel count. Stored files passed it already."""
    if getattr(upload, "_committed", False):
        return
    if upload.size is not None and upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("파일이 너무 큽니다(최대 %(max)s).") % {"max": filesizeformat(settings.MAX_UPLOAD_BYTES)},
            code="file_size",
        )
    _open(_read(upload))


class PhotoFormField(forms.FileField):
    """Checks an upload with validate_photo only, so each refusal says exactly what is wrong
    (Django's ImageField answers every problem with one generic message before validators run)."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            validate_photo(upload)
        return upload


class PhotoField(models.ImageField):
    """An ImageField whose uploads pass validate_photo and are stored cleaned (see swap_in_cleaned)."""

    default_validators = [validate_photo]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoFormField, **kwargs})


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _normalised(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation, then drop all metadata (GPS above all) by copying pixels only."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    clean = Image.new(mode, image.size)
    clean.paste(image.convert(mode))
    return clean


def _encode(image: Image.Image) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "PNG", optimize=True)
        return buffer.getvalue(), "png"
    image.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue(), "jpg"


def cleaned_original(upload) -> ContentFile:
    """Re-encode an accepted upload: orientation applied, metadata gone, longest edge capped."""
    image = _normalised(_open(_read(upload)))
    image.thumbnail((ORIGINAL_MAX_EDGE, ORIGINAL_MAX_EDGE), Image.Resampling.LANCZOS)
    data, ext = _encode(image)
    return ContentFile(data, name=f"{_safe_stem(upload.name)}.{ext}")


def _safe_stem(name: str | None) -> str:
    """The sender's file name cut to one plain word: no folders, no dot (so no hidden file and no second
    extension like shell.php.jpg), letters, digits, _ and - only. The extension is always ours."""
    last = re.split(r"[\\/]", name or "")[-1]
    stem = last.rsplit(".", 1)[0] if "." in last.lstrip(".") else last
    return re.sub(r"[^\w-]+", "_", stem).strip("_-")[:60] or "photo"


def swap_in_cleaned(instance, field: str) -> bool:
    """Before saving: replace a fresh upload with its cleaned copy. True when there was a fresh upload."""
    upload = getattr(instance, field)
    if not upload or upload._committed:
        return False
    setattr(instance, field, cleaned_original(upload))
    return True


def make_renditions(stored_name: str) -> dict[str, dict]:
    """Write every rendition of a stored (already cleaned) photo; return {name: {url, width, height}}."""
    with default_storage.open(stored_name, "rb") as fh:
        source = _normalised(Image.open(io.BytesIO(fh.read())))
    digest = hashlib.sha1(stored_name.encode(), usedforsecurity=False).hexdigest()[:12]  # a file name, not a secret
    result = {}
    for rendition in RENDITIONS:
        if rendition.height is None:
            image = source.copy()
            image.thumbnail((rendition.width, rendition.width * 4), Image.Resampling.LANCZOS)
        else:
            image = ImageOps.fit(source, (rendition.width, rendition.height), Image.Resampling.LANCZOS)
        data, ext = _encode(image)
        name = default_storage.save(f"renditions/{digest[:2]}/{digest}-{rendition.name}.{ext}", ContentFile(data))
        result[rendition.name] = {
            "url": default_storage.url(name),
            "width": image.width,
            "height": image.height,
            "bytes": len(data),
            "type": f"image/{'png' if ext == 'png' else 'jpeg'}",
        }
    return result
