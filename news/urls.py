from django.urls import path

from news import views

app_name = "news"

urlpatterns = [
    path("section/<slug:slug>/", views.section, name="section"),
    path("article/<int:pk>/", views.article, name="article"),
    path("reporter/<int:pk>/", views.reporter, name="reporter"),
    path("ranking/", views.ranking, name="ranking"),
    path("keyword/<str:slug>/", views.keyword, name="keyword"),
    path("series/", views.series_list, name="series-list"),
    path("series/<str:slug>/", views.series, name="series"),
    path("photo/", views.photo_stories, name="photo-stories"),
    path("corrections/", views.corrections, name="corrections"),
    path("search/", views.search_page, name="search"),
    path("search/suggest/", views.suggest, name="suggest"),
]
