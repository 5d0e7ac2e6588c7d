from django.urls import path

from tsunagari.network import event_views, newsletter_views, views

app_name = "network"
urlpatterns = [
    path("", views.platform_index, name="platforms"),
    path("<int:platform_id>/members/", views.member_list, name="members"),
    path("events/", event_views.event_index, name="events"),
    path("events/<int:event_id>/", event_views.event_detail, name="event"),
    path("events.ics", event_views.event_feed, name="event_feed"),
    path("events/cancel/<str:token>/", event_views.cancel_registration, name="event_cancel"),
    path("unsubscribe/<str:token>/", newsletter_views.unsubscribe, name="unsubscribe"),
]
