from django.urls import path

from tsunagari.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("topics/", views.topic_index, name="topics"),
    path("topics/<slug:code>/", views.topic_detail, name="topic"),
    path("services/<str:service_id>/", views.service_detail, name="service"),
]
