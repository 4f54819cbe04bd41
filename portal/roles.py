"""The portal's roles as groups with exact permissions, kept in step with the code on every migrate.

The shell owns the org chart: it is the one package that knows both the newsroom and the comments.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

REPORTER = "기자"
EDITOR = "편집자"
MODERATOR = "모더레이터"
AD_MANAGER = "광고 관리자"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Reporters add and change their own articles (the admin narrows to their own) and may submit, not publish.
    REPORTER: [
        "news.add_article",
        "news.change_article",
        "news.view_article",
        "news.add_articlephoto",
        "news.change_articlephoto",
        "news.delete_articlephoto",
        "news.view_articlephoto",
        "news.view_section",
        # Keywords are reused through the admin's autocomplete; a new one may be added from the article form.
        "news.add_keyword",
        "news.view_keyword",
        "news.view_series",
    ],
    EDITOR: [
        "news.add_article",
        "news.change_article",
        "news.delete_article",
        "news.view_article",
        "news.publish_article",
        "news.add_articlephoto",
        "news.change_articlephoto",
        "news.delete_articlephoto",
        "news.view_articlephoto",
        "news.add_section",
        "news.change_section",
        "news.delete_section",
        "news.view_section",
        # Spellings search treats as one (상하이 = 상해 = 上海).
        "news.add_spellingvariants",
        "news.change_spellingvariants",
        "news.delete_spellingvariants",
        "news.view_spellingvariants",
        "portal.change_siteprofile",
        "portal.view_siteprofile",
        # 기사제보: read, give a status and notes; never added (readers send them) or deleted (a record).
        "tips.view_tip",
        "tips.change_tip",
        # The newsletter: each day's edition and its picks; subscribers are read only (their consent).
        "newsletter.add_edition",
        "newsletter.change_edition",
        "newsletter.view_edition",
        "newsletter.view_subscriber",
        # 이용약관 and the other policies: a change is a new version (a saved one is never edited).
        "policies.add_policy",
        "policies.change_policy",
        "policies.view_policy",
        # How long a reader may edit their comment (comments.Rules, one row).
        "comments.add_rules",
        "comments.change_rules",
        "comments.view_rules",
        # Keywords, series (연재) and corrections (#17): only editors attach a 정정·반론·추후보도 and work the
        # readers' requests for one (read, give a status and notes; never added or deleted: a record).
        "news.add_keyword",
        "news.change_keyword",
        "news.delete_keyword",
        "news.view_keyword",
        "news.add_series",
        "news.change_series",
        "news.delete_series",
        "news.view_series",
        "news.add_correction",
        "news.change_correction",
        "news.delete_correction",
        "news.view_correction",
        "news.view_correctionrequest",
        "news.change_correctionrequest",
        # The front page's top stories in the desk's order. (Revisions of live stories are compared and
        # restored from the article's page by whoever may publish: ArticleAdmin.revisions_view.)
        "news.add_editorpick",
        "news.change_editorpick",
        "news.delete_editorpick",
        "news.view_editorpick",
    ],
    # Moderators see every comment (private text included), hide, restore, delete and block; no articles.
    MODERATOR: [
        "comments.view_comment",
        "comments.change_comment",
        "comments.moderate_comment",
        "comments.view_reportedcomment",
        "comments.change_reportedcomment",
        "comments.view_report",
        "comments.view_commenter",
        "comments.change_commenter",
        "comments.add_blockedword",
        "comments.change_blockedword",
        "comments.delete_blockedword",
        "comments.view_blockedword",
        "comments.add_rules",
        "comments.change_rules",
        "comments.view_rules",
    ],
    # Ad managers run the ad slots, the ads and the 플러스업체 listings; moderators may hold this role too.
    AD_MANAGER: [
        f"ads.{action}_{model}"
        for model in ("adslot", "ad", "business")
        for action in ("add", "change", "delete", "view")
    ]
    + ["ads.view_addailystats"],
}


def _permissions(codes: list[str]) -> list[Permission]:
    wanted = {tuple(code.split(".")) for code in codes}
    found = [
        perm
        for perm in Permission.objects.select_related("content_type").filter(codename__in=[c for _, c in wanted])
        if (perm.content_type.app_label, perm.codename) in wanted
    ]
    return found if len(found) == len(wanted) else []


def ensure_roles() -> dict[str, Group]:
    """Create or update each role group so that it holds exactly its listed permissions."""
    groups = {}
    for name, codes in ROLE_PERMISSIONS.items():
        perms = _permissions(codes)
        if not perms:
            raise LookupError(f"permissions for role {name!r} are missing; run migrate")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms)
        groups[name] = group
    return groups


def on_post_migrate(sender, **kwargs) -> None:
    # post_migrate fires once per app and auth creates each app's permissions in its own receiver, so act
    # only once every permission a role needs exists (the last app's turn); earlier calls are no-ops.
    if all(_permissions(codes) for codes in ROLE_PERMISSIONS.values()):
        ensure_roles()
