from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("article/<int:article_id>/", views.thread, name="thread"),
    path("article/<int:article_id>/post/", views.post, name="post"),
    path("article/<int:article_id>/draft/", views.keep_draft, name="draft"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/react/", views.react, name="react"),
]
