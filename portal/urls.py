from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from portal import accounts, feeds, health, sitemaps, views

admin.site.site_header = "뉴스룸"
admin.site.site_title = "뉴스룸"
admin.site.index_title = "기사와 사이트 관리"
admin.site.login_form = accounts.AdminLoginForm

handler400 = views.bad_request
handler500 = health.server_error

urlpatterns = [
    path("", views.front_page, name="front"),
    path("rss/", feeds.LatestArticlesFeed(), name="feed"),
    path("rss/<slug:slug>/", feeds.SectionFeed(), name="section-feed"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path("sitemap-news.xml", sitemaps.news_sitemap, name="sitemap-news"),  # before the pattern below
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap-section"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("healthz", health.healthz, name="healthz"),
    path("beacon/", views.beacon, name="beacon"),
    path("fragment/", views.fragment, name="fragment"),
    path("", include("news.urls")),
    path("comments/", include("comments.urls")),
    path("tips/", include("portal.tips.urls")),
    path("newsletter/", include("portal.newsletter.urls")),
    path("policies/", include("portal.policies.urls")),
    path("", include("portal.ads.urls")),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/nickname/", accounts.nickname, name="nickname"),
    path("accounts/leave/", accounts.leave, name="leave"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=accounts.LoginForm), name="login"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=accounts.PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # in production the web server or object storage serves uploads
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
