from django.urls import path

from portal.policies import views

app_name = "policies"
urlpatterns = [
    path("agree/", views.agree_again, name="agree"),
    path("<slug:kind>/", views.show, name="show"),
    path("<slug:kind>/<int:version>/", views.show, name="version"),
]
