from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.compatibility)
def registered_newspaper_particulars(app_configs, **kwargs):
    """A registered 인터넷신문 must show its particulars on every page: warn while any is empty."""
    if not settings.REGISTERED_INTERNET_NEWSPAPER:
        return []
    from portal.models import SiteProfile

    try:
        missing = SiteProfile.current().missing_particulars()
    except DatabaseError:  # no database yet (a first `migrate`): nothing to check against
        return []
    if not missing:
        return []
    return [
        Warning(
            "법정 고지 항목이 비어 있습니다: " + ", ".join(missing),
            hint="관리자 화면의 '사이트 정보'에서 채워 주세요 (인터넷신문은 모든 페이지에 표시해야 합니다).",
            id="portal.W001",
        )
    ]
