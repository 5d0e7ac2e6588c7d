from django.urls import path

from tsunagari.network import campaign_views, event_views, newsletter_views, training_views, views
from tsunagari.network.body_views import edit_body, my_bodies, public_body
from tsunagari.network.resource_views import resources

app_name = "network"
urlpatterns = [
    path("", views.platform_index, name="platforms"),
    path("<int:platform_id>/members/", views.member_list, name="members"),
    path("events/", event_views.event_index, name="events"),
    path("events/<int:event_id>/", event_views.event_detail, name="event"),
    path("events.ics", event_views.event_feed, name="event_feed"),
    path("events/cancel/<str:token>/", event_views.cancel_registration, name="event_cancel"),
    path("unsubscribe/<str:token>/", newsletter_views.unsubscribe, name="unsubscribe"),
    path("training/", training_views.courses, name="training_courses"),
    path("certificates/verify/", training_views.verify, name="certificate_verify"),
    path("training/staff/", training_views.staff_courses, name="training_staff"),
    path(
        "training/staff/courses/<int:course_id>/", training_views.staff_course, name="training_staff_course"
    ),
    path(
        "training/staff/courses/<int:course_id>/issue/",
        training_views.staff_issue,
        name="training_staff_issue",
    ),
    path(
        "training/staff/sessions/<int:session_id>/attendance/",
        training_views.staff_attendance,
        name="training_staff_attendance",
    ),
    path(
        "training/staff/certificates/<int:certificate_id>/pdf/",
        training_views.staff_certificate_pdf,
        name="training_staff_certificate_pdf",
    ),
    path(
        "training/staff/certificates/<int:certificate_id>/revoke/",
        training_views.staff_revoke,
        name="training_staff_revoke",
    ),
    path("campaign/<slug:slug>/", campaign_views.campaign, name="campaign"),
    path("campaign/<slug:slug>/<slug:page_slug>/", campaign_views.campaign_page, name="campaign_page"),
    path("c/<str:code>/", campaign_views.entry, name="campaign_entry"),
    path("campaign-visits/", campaign_views.staff_visits, name="campaign_visits"),
    path("bodies/mine/", my_bodies, name="bodies_mine"),
    path("bodies/<int:body_id>/", public_body, name="body"),
    path("bodies/<int:body_id>/edit/", edit_body, name="body_edit"),
    path("<int:platform_id>/resources/", resources, name="resources"),
]
