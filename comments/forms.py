"""The forms a reader posts on comments: writing one (or a reply), and the delete and report buttons."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comments.models import Comment, Reaction
from comments.threads import order_of
from news.models import Article


def _body_messages() -> dict:
    # The model's messages for the text; what the model calls blank, a form calls required.
    messages = Comment._meta.get_field("body").error_messages
    return {**messages, "required": messages["blank"]}


class CommentForm(forms.ModelForm):
    """A comment as its author writes it: the text and the private flag, with the model's limit and messages
    (Comment.body). Posting makes a new comment of it; editing can bind it to one (instance=)."""

    class Meta:
        model = Comment
        fields = ["body", "private"]
        labels = {"body": gettext_lazy("댓글 내용"), "private": gettext_lazy("비밀로 하기")}
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"body": _body_messages()}

    def __init__(self, *args, nickname: str = "", **kwargs):
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)
        limit = number_format(self.fields["body"].max_length, force_grouping=True)
        if nickname:
            hint = _("%(nickname)s님의 의견을 남겨 주세요. (%(limit)s자 이내)") % {"nickname": nickname, "limit": limit}
        else:
            hint = _("의견을 남겨 주세요. (%(limit)s자 이내)") % {"limit": limit}
        self.fields["body"].widget.attrs["placeholder"] = hint


class BackField(forms.Field):
    """The page a form's reader goes on to: "thread" (the comments page the form is on), "mine" (내 댓글) or
    "" (the article). Never an error: anything else is the article."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> str:
        return value if value in ("thread", "mine") else ""


class OrderField(forms.Field):
    """The thread order the form's page showed (?order=), to come back to the same order. Never an error:
    anything unknown is the default order."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> str:
        return order_of(value)


class TokenField(forms.Field):
    """The page's submission token (a double click sends it twice). Never an error: a malformed one is none."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> uuid.UUID | None:
        try:
            return uuid.UUID(value or "")
        except (TypeError, ValueError, AttributeError):
            return None


class PostCommentForm(CommentForm):
    """What the comment and reply forms send: the comment, the comment it answers, the page's submission
    token and the page to come back to. Nothing else in the POST is read."""

    parent = forms.ModelChoiceField(queryset=Comment.objects.none(), required=False, widget=forms.HiddenInput)
    token = TokenField()
    back = BackField()
    order = OrderField()

    def __init__(self, *args, reader, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        # Only a comment this reader can read can be answered: the gate decides, as everywhere.
        self.fields["parent"].queryset = Comment.objects.visible_to(reader).filter(readable=True, article=article)

    def submission_token(self) -> uuid.UUID | None:
        """The page's token made distinct per form on it (the comment form and each reply form)."""
        token, parent = self.cleaned_data.get("token"), self.cleaned_data.get("parent")
        return uuid.uuid5(token, str(parent.pk if parent else 0)) if token else None

    def refusal(self) -> str:
        """Why the comment was refused, in the model's words (an unknown parent is the view's to answer)."""
        return " ".join(message for field, errors in self.errors.items() if field != "parent" for message in errors)

    def draft(self, *, error: str = "", note: str = "") -> dict:
        """What the reader typed, for the session (comment_draft) until their own form shows it again: in the
        reply form of the comment it answers (only a first-level comment has one), else in the comment form;
        with why it was not posted (error) or a word on where it comes from (note)."""
        parent = self.cleaned_data.get("parent")
        return {
            "article": self.article.pk,
            "error": error,
            "note": str(note),
            "body": (self["body"].value() or "")[: Comment.MAX_LENGTH * 2],
            # A reply to a comment this reader cannot read now (signed out: a private one) comes back in the
            # comment form, private, as the reply would have been.
            "private": bool(self["private"].value()) or self.has_error("parent"),
            "parent": parent.pk if parent and not parent.parent_id else None,
        }

    def to_thread(self) -> bool:
        return self.cleaned_data.get("back") == "thread"


class EditCommentForm(CommentForm):
    """An author's new text for their comment (the private flag stays as it was posted), and where the
    page they came from was: the comments page or the article, in which order."""

    back = BackField()
    order = OrderField()

    class Meta(CommentForm.Meta):
        fields = ["body"]


class ReactionForm(forms.Form):
    """A 공감 / 비공감 button: which one, and the page to come back to without the script."""

    kind = forms.ChoiceField(choices=Reaction.Kind.choices)
    back = BackField()
    order = OrderField()


class CommentActionForm(forms.Form):
    """The delete and report buttons: nothing to read but the page to come back to."""

    back = BackField()
    order = OrderField()
