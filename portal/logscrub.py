"""Secrets that travel in URLs never reach a log: a password reset's token, a newsletter link's signed
token. The filter sits on every log handler (portal/settings.py LOGGING), so the access log, Django's
request warnings and anything else that prints a path are covered alike."""

from __future__ import annotations

import logging
import re

# /accounts/reset/<uidb64>/<token>/ and /newsletter/(confirm|unsubscribe)/<signed>/
SECRET_IN_PATH = re.compile(
    r"(/accounts/reset/[^/\s\"']+/|/newsletter/(?:confirm|unsubscribe)/)(?!set-password/)[^/\s\"']+"
)
HIDDEN = r"\1[hidden]"


def scrub(text: str) -> str:
    return SECRET_IN_PATH.sub(HIDDEN, text)


class ScrubSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
