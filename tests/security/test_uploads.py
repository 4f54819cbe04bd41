"""Hostile uploads through the real admin forms: a reporter's body photos and an ad manager's ad image.

Each attack is refused with a Korean message on the page and leaves no row and no file behind, without
the process ever decoding the pixels it claims; or, where the file is a real picture (a polyglot, a wrong
extension, a hostile file name), it is stored re-encoded under a name and extension of our choosing.
Refusals of plain non-images, SVG, truncated and over-10 MB files on the lead photo are in
tests/news/test_images.py; this module adds the inline and ad paths and the attacks it does not cover.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import io
import re
import struct
import zlib
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path, PurePosixPath

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from news.models import Article, ArticlePhoto
from portal import roles
from portal.ads.models import Ad, AdSlot
from tests import factories
from tests.news.test_roles import article_form

# What these attack (the image pipeline) does not depend on the database: they run in the PostgreSQL pass only.
pytestmark = [pytest.mark.django_db, pytest.mark.any_database]

# Peak resident memory an upload may add: a refused bomb must never be decoded (20000×20000 would
# take 400 MB as a bilevel image and 1.6 GB as RGBA), while rendering the admin page costs a few MB.
MEMORY_BUDGET = 50 * 1024 * 1024
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


# --- attack files, small on disk -------------------------------------------------------------------------


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


@cache
def png_bomb(width: int, height: int) -> bytes:
    """A valid all-black bilevel PNG of this size: ~1000:1 compression keeps 20000×20000 near 50 KB."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then one bit a pixel
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


@cache
def png_text_bomb(chunks: int = 70) -> bytes:
    """An 8×8 PNG carrying `chunks` zTXt chunks that each inflate to 1 MB: ~75 KB on disk."""
    inflates_to_1mb = zlib.compress(b"A" * (1024 * 1024 - 16), 9)
    texts = b"".join(_png_chunk(b"zTXt", b"k%d\x00\x00" % i + inflates_to_1mb) for i in range(chunks))
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * 8 for _ in range(8)))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + texts
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def gif_bomb(*, screen: bool, frame: bool) -> bytes:
    """A 1×1 GIF whose logical screen and/or first frame claim 65535×65535."""
    data = bytearray(image_bytes("GIF", size=(1, 1)))
    if screen:
        data[6:10] = struct.pack("<HH", 65535, 65535)
    if frame:
        descriptor = data.index(b"\x2c")  # image separator, followed by left, top, width, height
        data[descriptor + 5 : descriptor + 9] = struct.pack("<HH", 65535, 65535)
    return bytes(data)


def jpeg_bomb() -> bytes:
    """A small JPEG whose frame header claims 65535×65535."""
    data = bytearray(image_bytes("JPEG", size=(8, 8)))
    sof = data.index(b"\xff\xc0")  # marker, length (2), precision (1), height, width
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65535, 65535)
    return bytes(data)


def image_bytes(fmt: str, size=(320, 240), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (30, 90, 160, 200)[: len(mode)]).save(buffer, fmt, **save)
    return buffer.getvalue()


def polyglot(fmt: str) -> bytes:
    """A real picture that is also an HTML page: the markup in its own metadata and again after the image."""
    if fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", SCRIPT.decode())
        picture = image_bytes("PNG", pnginfo=text)
    else:
        picture = image_bytes(fmt, comment=SCRIPT)
    assert SCRIPT in picture
    return picture + SCRIPT


# --- what a reporter and an ad manager send ---------------------------------------------------------------


def _media_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _vm_kib(field: str) -> int:
    return int(re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))


@contextmanager
def peak_memory_growth():
    """Measure the peak resident memory added inside the block, C allocations (Pillow's pixels) included.

    tracemalloc sees only Python's allocator, and ru_maxrss only ever rises over the whole test run, so
    an earlier test's peak would hide this one: reset the kernel's high-water mark instead (Linux 4.0+).
    Memory an earlier test freed but the C allocator kept would be reused without raising the mark, so
    hand it back to the system first.
    """
    clear_refs = Path("/proc/self/clear_refs")
    if not clear_refs.exists():
        pytest.skip("peak memory needs Linux's /proc/self/clear_refs")
    gc.collect()
    Image.core.clear_cache()
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if hasattr(libc, "malloc_trim"):  # glibc
        libc.malloc_trim(0)
    clear_refs.write_text("5")
    start = _vm_kib("VmHWM")
    measured = {}
    yield measured
    measured["bytes"] = (_vm_kib("VmHWM") - start) * 1024


def photo_inline(files: list[tuple[str, bytes]]) -> dict:
    """The inline formset's fields for one body photo per (name, bytes)."""
    data = {"photos-TOTAL_FORMS": str(len(files))}
    for i, (name, content) in enumerate(files):
        data |= {
            f"photos-{i}-id": "",
            f"photos-{i}-article": "",
            f"photos-{i}-position": str(i + 1),
            f"photos-{i}-caption": "현장",
            f"photos-{i}-alt_text": "현장 사진",
            f"photos-{i}-image": SimpleUploadedFile(name, content, "image/png"),
        }
    return data


@pytest.fixture
def ad_manager(db):
    return factories.UserFactory(username="admanager", role=roles.AD_MANAGER)


@pytest.fixture
def slot(db):
    return AdSlot.objects.create(code="sidebar-premium", name="프리미엄광고", width=300, height=250)


def ad_form(slot: AdSlot, upload) -> dict:
    now = timezone.localtime()
    return {
        "advertiser": "업로드 광고주",
        "title": "사진 광고",
        "slots": [slot.pk],
        "target_url": "https://example.com/",
        "active": "on",
        "alt_text": "광고 사진",
        "text": "",
        "image": upload,
        "weight": "10",
        "starts_at_0": now.date().isoformat(),
        "starts_at_1": "00:00:00",
        "ends_at_0": (now + timedelta(days=3)).date().isoformat(),
        "ends_at_1": "00:00:00",
    }


class Target:
    """Where an upload goes: a body photo on a new article, on an existing draft, or an ad's image."""

    def __init__(self, kind: str, client, reporter, ad_manager, section, slot):
        self.kind, self.client, self.section, self.slot = kind, client, section, slot
        self.draft = None
        if kind == "article-change":
            self.draft = factories.ArticleFactory(
                title="기존 초안", reporter=reporter, section=section, status=Article.Status.DRAFT
            )
        client.force_login(ad_manager if kind == "ad" else reporter)

    def post(self, name: str, content: bytes):
        if self.kind == "ad":
            upload = SimpleUploadedFile(name, content, "image/png")
            return self.client.post(reverse("admin:ads_ad_add"), ad_form(self.slot, upload))
        data = article_form(self.draft, section=self.section.pk, title=self.draft.title if self.draft else "사진 기사")
        data |= photo_inline([(name, content)])
        url = (
            reverse("admin:news_article_change", args=[self.draft.pk])
            if self.draft
            else reverse("admin:news_article_add")
        )
        return self.client.post(url, data)

    def saved(self) -> bool:
        if self.kind == "ad":
            return Ad.objects.exists()
        if self.kind == "article-add":
            return Article.objects.exists()
        return ArticlePhoto.objects.exists()

    def stored_name(self) -> str:
        return Ad.objects.get().image.name if self.kind == "ad" else ArticlePhoto.objects.get().image.name


@pytest.fixture(params=["article-add", "article-change", "ad"])
def target(request, client, reporter, ad_manager, section, slot):
    return Target(request.param, client, reporter, ad_manager, section, slot)


# --- the measurement itself can fail ---------------------------------------------------------------------


def test_the_memory_probe_sees_pixels_being_decoded():
    bomb = png_bomb(6000, 6000)  # 36 MB as decoded bilevel pixels, 36 KB on disk
    with peak_memory_growth() as decoding:
        Image.open(io.BytesIO(bomb)).load()

    assert len(bomb) < 100_000
    assert decoding["bytes"] > 30 * 1024 * 1024


# --- refused: nothing saved, nothing stored, nothing decoded -------------------------------------------------


REFUSED = {
    "png-20000x20000": (lambda: png_bomb(20000, 20000), "bomb.png", "화소"),
    "gif-huge-screen": (lambda: gif_bomb(screen=True, frame=False), "bomb.gif", "화소"),
    "gif-huge-first-frame": (lambda: gif_bomb(screen=False, frame=True), "bomb.gif", "화소"),
    "jpeg-huge-header": (lambda: jpeg_bomb(), "bomb.jpg", "화소"),
    "png-text-chunk-bomb": (lambda: png_text_bomb(), "text.png", "사진 파일이 아니거나"),
    "html-with-png-signature": (lambda: b"\x89PNG\r\n\x1a\n" + SCRIPT, "page.png", "사진 파일이 아니거나"),
    "html-named-jpg": (lambda: SCRIPT, "page.jpg", "사진 파일이 아니거나"),
}


@pytest.mark.parametrize("attack", REFUSED, ids=list(REFUSED))
def test_hostile_upload_is_refused_with_a_korean_message_and_nothing_kept(target, attack):
    content, name, message = REFUSED[attack]
    content = content()
    assert len(content) < 100_000  # every attack is small on the wire

    with peak_memory_growth() as upload:
        response = target.post(name, content)

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'class="errorlist' in page
    assert not target.saved()
    assert _media_files() == []
    assert upload["bytes"] < MEMORY_BUDGET, f"{upload['bytes'] / 2**20:.0f} MB"


def test_site_limit_holds_when_pillows_process_wide_limit_is_switched_off(target, monkeypatch):
    # Image.MAX_IMAGE_PIXELS is a process global that any library or script may set to None; our own
    # setting must still stop the bomb before its pixels are decoded.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)

    with peak_memory_growth() as upload:
        response = target.post("bomb.png", png_bomb(20000, 20000))

    assert "화소" in response.content.decode()
    assert not target.saved() and _media_files() == []
    assert upload["bytes"] < MEMORY_BUDGET, f"{upload['bytes'] / 2**20:.0f} MB"


def test_lowered_site_limit_refuses_before_decoding(target, settings):
    settings.MAX_IMAGE_PIXELS = 10_000_000  # Pillow's own limit stays at the start-up value of 50 MP

    with peak_memory_growth() as upload:
        response = target.post("wide.png", png_bomb(6000, 6000))

    assert "화소" in response.content.decode()
    assert not target.saved() and _media_files() == []
    assert upload["bytes"] < 30 * 1024 * 1024, f"{upload['bytes'] / 2**20:.0f} MB"


# --- accepted pictures are stored re-encoded, under our name and extension -----------------------------------


def _stored_bytes(name: str) -> bytes:
    return (Path(django_settings.MEDIA_ROOT) / name).read_bytes()


@pytest.mark.parametrize("target", ["article-change", "ad"], indirect=True)
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_polyglot_is_stored_as_pixels_only_without_its_html(target, fmt):
    response = target.post(f"poly.{fmt.lower()}", polyglot(fmt))

    assert response.status_code == 302
    stored = _media_files()
    assert stored, "the original and its renditions are stored"
    for path in stored:
        data = path.read_bytes().lower()
        assert b"<script" not in data and b"<html" not in data and b"cookie" not in data, path.name
        Image.open(path).verify()


@pytest.mark.parametrize("target", ["article-add", "ad"], indirect=True)
@pytest.mark.parametrize(
    ("name", "content", "stored_as"),
    [
        ("photo.jpg", image_bytes("PNG"), ("photo.jpg", "JPEG")),  # a PNG without transparency: a JPEG now
        ("photo.png", image_bytes("JPEG"), ("photo.jpg", "JPEG")),
        ("logo.jpg", image_bytes("PNG", mode="RGBA"), ("logo.png", "PNG")),  # transparency kept: a PNG
        ("anim.webp", image_bytes("GIF"), ("anim.jpg", "JPEG")),
        ("shell.php", image_bytes("PNG"), ("shell.jpg", "JPEG")),
        ("shell.php.png", image_bytes("PNG"), ("shell_php.jpg", "JPEG")),  # one extension, ours
        (".htaccess.png", image_bytes("PNG"), ("htaccess.jpg", "JPEG")),  # never a hidden dotfile
    ],
    ids=[
        "png-named-jpg",
        "jpeg-named-png",
        "transparent-png-named-jpg",
        "gif-named-webp",
        "image-named-php",
        "double-extension",
        "dotfile",
    ],
)
def test_wrong_extension_is_replaced_by_the_one_matching_the_stored_bytes(target, name, content, stored_as):
    response = target.post(name, content)

    assert response.status_code == 302
    stored = PurePosixPath(target.stored_name())
    filename, fmt = stored_as
    assert re.fullmatch(rf"{PurePosixPath(filename).stem}(_[A-Za-z0-9]{{7}})?{stored.suffix}", stored.name)
    assert stored.suffix == PurePosixPath(filename).suffix
    assert Image.open(io.BytesIO(_stored_bytes(str(stored)))).format == fmt


# --- hostile file names: the multipart body as a browser or a script would send it ---------------------------

BOUNDARY = "----PortalUploadBoundary7MA4YWxk"


def raw_multipart(fields: dict, file_field: str, disposition_filename: bytes, content: bytes) -> bytes:
    """A multipart body with the file's name exactly as given (the test client would strip its path)."""
    parts = []
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{item}\r\n'.encode())
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; '.encode()
        + disposition_filename
        + b"\r\nContent-Type: image/png\r\n\r\n"
        + content
        + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


HOSTILE_NAMES = {
    "dot-dot-slash": (b'filename="../../etc/passwd.png"', "passwd"),
    "dot-dot-backslash": (b'filename="..\\..\\x.png"', "x"),
    "absolute-path": (b'filename="/etc/passwd.png"', "passwd"),
    "windows-drive": (b'filename="C:\\Windows\\win.png"', "win"),
    "nul-byte": (b'filename="x\x00.php.png"', "x_php"),
    "rfc2231-encoded": (b"filename*=UTF-8''..%2F..%2Fetc%2Fpasswd.png", "passwd"),
    "html-entities": (b'filename="&#46;&#46;&#47;&#46;&#46;&#47;x.png"', "x"),
    "korean-name": ('filename="../상하이 야경.png"'.encode(), "상하이_야경"),
}


@pytest.mark.parametrize("hostile", HOSTILE_NAMES, ids=list(HOSTILE_NAMES))
def test_hostile_file_name_is_stored_sanitised_inside_the_upload_folder(client, reporter, section, tmp_path, hostile):
    disposition, stem = HOSTILE_NAMES[hostile]
    fields = article_form(None, section=section.pk, title="사진 기사") | {
        "photos-TOTAL_FORMS": "1",
        "photos-0-position": "1",
        "photos-0-caption": "",
        "photos-0-alt_text": "사진",
        "photos-0-id": "",
        "photos-0-article": "",
    }
    client.force_login(reporter)

    response = client.post(
        reverse("admin:news_article_add"),
        raw_multipart(fields, "photos-0-image", disposition, image_bytes("PNG")),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )

    assert response.status_code == 302
    name = ArticlePhoto.objects.get().image.name
    media = Path(django_settings.MEDIA_ROOT).resolve()
    stored = (media / name).resolve()
    assert re.fullmatch(rf"articles/\d{{4}}/\d{{2}}/{stem}(_[A-Za-z0-9]{{7}})?\.jpg", name), name
    assert stored.is_file() and stored.is_relative_to(media / "articles")
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and not p.resolve().is_relative_to(media)]
    assert outside == []


# --- too many files in one request ---------------------------------------------------------------------------


def test_more_files_than_allowed_in_one_save_gets_a_korean_400_page(client, reporter, section):
    limit = django_settings.DATA_UPLOAD_MAX_NUMBER_FILES
    small = image_bytes("JPEG", size=(8, 8))
    data = article_form(None, section=section.pk, title="사진 많은 기사")
    data |= photo_inline([(f"p{i}.jpg", small) for i in range(limit + 1)])
    client.force_login(reporter)

    response = client.post(reverse("admin:news_article_add"), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert f"한 번에 올릴 수 있는 파일은 {limit}개까지입니다" in page
    assert '<html lang="ko">' in page
    assert not Article.objects.exists()
    assert _media_files() == []


def test_other_bad_requests_get_the_plain_korean_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    page = response.content.decode()
    assert "잘못된 요청입니다" in page
    assert "파일은" not in page
