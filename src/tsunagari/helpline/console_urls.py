"""The counsellor and coordinator console, under /helpline/console/ (names in the "helpline" namespace)."""

from django.urls import path

from tsunagari.helpline import callback_views as callbacks
from tsunagari.helpline import chat_console_views as chats
from tsunagari.helpline import console_views as views

urlpatterns = [
    path("", views.contact_list, name="console_contacts"),
    path("contacts/<uuid:contact_id>/record/", views.record_new, name="console_record_new"),
    path("records/<int:record_id>/", views.record_detail, name="console_record"),
    path("queue/", views.queue, name="console_queue"),
    path("queue/<int:case_id>/take/", views.case_take, name="console_case_take"),
    path("queue/<int:case_id>/close/", views.case_close, name="console_case_close"),
    path("callbacks/", callbacks.callback_list, name="console_callbacks"),
    path("callbacks/<uuid:callback_id>/", callbacks.callback_detail, name="console_callback"),
    path("callbacks/<uuid:callback_id>/take/", callbacks.callback_take, name="console_callback_take"),
    path("callbacks/<uuid:callback_id>/close/", callbacks.callback_close, name="console_callback_close"),
    path("chats/", chats.chat_list, name="console_chats"),
    path("chats/<uuid:contact_id>/", chats.chat_detail, name="console_chat"),
    path("chats/<uuid:contact_id>/take/", chats.chat_take, name="console_chat_take"),
    path("chats/<uuid:contact_id>/send/", chats.chat_send, name="console_chat_send"),
    path("chats/<uuid:contact_id>/close/", chats.chat_close, name="console_chat_close"),
    path("chats/<uuid:contact_id>/poll/", chats.chat_poll, name="console_chat_poll"),
]
