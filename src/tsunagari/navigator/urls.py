from django.urls import path

from tsunagari.navigator import views

app_name = "navigator"
urlpatterns = [
    path("", views.navigator, name="start"),
    path("teens/", views.teens, name="teens"),
]
