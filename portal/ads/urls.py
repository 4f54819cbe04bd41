from django.urls import path

from portal.ads import views

app_name = "ads"

urlpatterns = [
    path("ads/<int:pk>/click/", views.click, name="click"),
    path("businesses/", views.directory, name="directory"),
]
