from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from news.images import PhotoFormField
from news.models import CorrectionRequest
from portal.tips.models import Tip

MAX_PHOTOS = 5


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(PhotoFormField):
    """Up to MAX_PHOTOS photos, each checked as an article photo is (news.images.validate_photo)."""

    widget = MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif", "multiple": True})

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("사진은 %(max)d장까지 올릴 수 있습니다.") % {"max": MAX_PHOTOS}, code="too_many")
        return [super(PhotosField, self).clean(upload, initial) for upload in uploads]


class ReaderSubmissionForm(forms.Form):
    """What every form readers send the newsroom shares: a trap for robots and a way to answer them."""

    # A field people never see or fill; a form robot fills every field it finds.
    homepage = forms.CharField(
        label=_("홈페이지 (비워 두세요)"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone"):
            raise ValidationError(_("답변받을 이메일이나 전화번호 중 하나는 적어 주세요."), code="no_contact")
        return cleaned

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("homepage"))


class TipForm(ReaderSubmissionForm, forms.ModelForm):
    photos = PhotosField(label=_("사진 (5장까지)"), required=False)

    class Meta:
        model = Tip
        fields = ["kind", "name", "email", "phone", "body"]
        widgets = {"kind": forms.RadioSelect, "body": forms.Textarea(attrs={"rows": 10})}


class CorrectionRequestForm(ReaderSubmissionForm, forms.ModelForm):
    """A reader's 정정·반론보도 request about one article (the view sets the article)."""

    class Meta:
        model = CorrectionRequest
        fields = ["kind", "name", "email", "phone", "body"]
        widgets = {"kind": forms.RadioSelect, "body": forms.Textarea(attrs={"rows": 10})}
