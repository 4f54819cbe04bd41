from django.urls import path

from portal.tips import views

app_name = "tips"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("received/", views.received, name="received"),
    # Under /tips/, which the edge passes to the app (deploy/varnish/portal.vcl): personal, never stored.
    path("correction/<int:pk>/", views.correction, name="correction"),
    path("correction/received/", views.correction_received, name="correction-received"),
]
