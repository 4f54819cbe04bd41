"""The reader's input to search: the results page's query and the search box's suggestions while typing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from news import search


class SearchForm(forms.Form):
    """/search/?q=…&section=…&order=…; what q may be is search.parse's to say (with its Korean messages), and a
    section or order the page does not offer is ignored rather than refused."""

    q = forms.CharField(required=False, strip=False)
    section = forms.SlugField(required=False)
    order = forms.ChoiceField(choices=[("newest", _("최신순")), ("relevance", _("정확도순"))], required=False)

    def __init__(self, data):
        super().__init__(data)
        self.is_valid()

    def query(self) -> search.Query:
        return search.parse(self.cleaned_data.get("q"))

    def ordering(self) -> str:
        return self.cleaned_data.get("order") or "newest"

    def section_slug(self) -> str:
        return self.cleaned_data.get("section") or ""


class SuggestForm(forms.Form):
    """/search/suggest/?q=…: what has been typed so far."""

    q = forms.CharField(max_length=search.MAX_LENGTH)
