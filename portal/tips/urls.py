from django.urls import path

from portal.tips import views

app_name = "tips"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("received/", views.received, name="received"),
]
