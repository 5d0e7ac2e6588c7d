"""The portal's web chat, mounted under the language prefixes at ``/helpline/chat/`` (namespace
"helpline_chat"; see :mod:`.chat_views`)."""

from django.urls import path

from tsunagari.helpline import chat_views as views

app_name = "helpline_chat"
urlpatterns = [
    path("", views.page, name="page"),
    path("start/", views.start, name="start"),
    path("send/", views.send, name="send"),
    path("leave/", views.leave, name="leave"),
    path("poll/", views.poll, name="poll"),
]
