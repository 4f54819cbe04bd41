"""One place for the test data the suite builds."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from news.models import Article, Section
from portal import roles


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"기자{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if extracted:
            user.is_staff = True
            user.save()
            user.groups.add(Group.objects.get(name=extracted))
        elif create:
            user.save()


def reporter(**kwargs):
    return UserFactory(role=roles.REPORTER, **kwargs)


def editor(**kwargs):
    return UserFactory(role=roles.EDITOR, **kwargs)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"섹션{n}")
    slug = factory.Sequence(lambda n: f"section-{n}")
    menu_order = factory.Sequence(int)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"상하이 소식 {n}호")
    subtitle = "부제입니다"
    body = "<p>본문 첫 문단입니다.</p>"
    section = factory.SubFactory(SectionFactory)
    reporter = factory.SubFactory(UserFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


def image_upload(name="photo.jpg", size=(640, 480), fmt="JPEG", exif=None, colour=(200, 40, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def moderator(**kwargs):
    return UserFactory(role=roles.MODERATOR, **kwargs)


def commenter(nickname: str, **kwargs):
    """A reader with a nickname, ready to comment."""
    from comments.models import Commenter

    user = UserFactory(**kwargs)
    Commenter.objects.create(user=user, nickname=nickname)
    return user


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "comments.Comment"

    article = factory.SubFactory(ArticleFactory)
    author = factory.LazyFunction(lambda: commenter(f"닉{UserFactory._meta.model.objects.count()}"))
    body = factory.Sequence(lambda n: f"댓글 내용 {n}")
    created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))


def mail_sent() -> list:
    """Django's test outbox once the mails handed to their own threads (the password reset's) are out."""
    import threading

    from django.core import mail

    for thread in threading.enumerate():
        if thread.name == "portal-mail":
            thread.join(10)
    return mail.outbox
