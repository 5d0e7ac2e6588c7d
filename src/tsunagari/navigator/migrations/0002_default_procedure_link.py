"""The default procedure link: Mynaportal's procedure search (ぴったりサービス).

Source: seed 002 (「チャットボットの利用結果からマイナポータル「ぴったりサービス」への接続」) names the
service; the address is the ぴったりサービス search page on app.oss.myna.go.jp (the host of its FAQ,
https://app.oss.myna.go.jp/Application/resources/faq/index.html). The search page's own address and
its parameters could not be checked from this machine (no network): last_verified stays empty so
the admin shows it as unverified, and no municipality parameter is guessed.
"""

from django.db import migrations

DEFAULT_URL = "https://app.oss.myna.go.jp/Application/search"
SOURCE = "マイナポータル ぴったりサービス（内閣府／デジタル庁）; seed 002"


def add_default(apps, schema_editor):
    ProcedureLink = apps.get_model("navigator", "ProcedureLink")
    if not ProcedureLink.objects.filter(service__isnull=True).exists():
        ProcedureLink.objects.create(service=None, url_template=DEFAULT_URL, label="", source=SOURCE)


def remove_default(apps, schema_editor):
    apps.get_model("navigator", "ProcedureLink").objects.filter(
        service__isnull=True, url_template=DEFAULT_URL
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("navigator", "0001_initial")]
    operations = [migrations.RunPython(add_default, remove_default)]
