"""Provider webhooks of the unified line, mounted at ``/helpline/hooks/`` (voice: :mod:`.webhooks`;
LINE: :mod:`.line_webhook`)."""

from django.urls import path

from tsunagari.helpline import line_webhook, webhooks

urlpatterns: list = [
    path("voice/incoming", webhooks.voice_incoming, name="voice_incoming"),
    path("voice/menu", webhooks.voice_menu, name="voice_menu"),
    path("voice/resume", webhooks.voice_resume, name="voice_resume"),
    path("voice/wait", webhooks.voice_wait, name="voice_wait"),
    path("voice/queue-exit", webhooks.voice_queue_exit, name="voice_queue_exit"),
    path("voice/answer", webhooks.voice_answer, name="voice_answer"),
    path("voice/line-status", webhooks.voice_line_status, name="voice_line_status"),
    path("voice/callback", webhooks.voice_callback, name="voice_callback"),
    path("voice/dial-done", webhooks.voice_dial_done, name="voice_dial_done"),
    path("voice/status", webhooks.voice_status, name="voice_status"),
    path("line/", line_webhook.line_webhook, name="line_webhook"),
]
