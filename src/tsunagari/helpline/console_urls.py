"""The counsellor and coordinator console, under /helpline/console/ (names in the "helpline" namespace)."""

from django.urls import path

from tsunagari.helpline import console_views as views

urlpatterns = [
    path("", views.contact_list, name="console_contacts"),
    path("contacts/<uuid:contact_id>/record/", views.record_new, name="console_record_new"),
    path("records/<int:record_id>/", views.record_detail, name="console_record"),
    path("queue/", views.queue, name="console_queue"),
    path("queue/<int:case_id>/take/", views.case_take, name="console_case_take"),
    path("queue/<int:case_id>/close/", views.case_close, name="console_case_close"),
]
