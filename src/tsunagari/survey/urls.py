from django.urls import path

from tsunagari.survey import views

app_name = "survey"
urlpatterns = [
    path("answer/", views.answer, name="answer"),
]
