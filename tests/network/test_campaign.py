"""強化月間 campaign pages and tagged entry links that count visits without storing anything about
the visitor."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.staff_login import login_staff
from tsunagari.directory.selectors.services import crisis_lines
from tsunagari.network import campaign_services
from tsunagari.network.models import Campaign, CampaignItem, EntryVisitCount
from tsunagari.network.services import NetworkRuleError

pytestmark = pytest.mark.django_db


def _campaign(slug="may-2026", published=True, starts_on=None, **fields):
    today = timezone.localdate()
    starts_on = starts_on or today - timedelta(days=3)
    return Campaign.objects.create(
        slug=slug,
        title=fields.pop("title", "孤独・孤立対策強化月間"),
        lead=fields.pop("lead", "声を上げやすい、声をかけやすい社会に。"),
        starts_on=starts_on,
        ends_on=fields.pop("ends_on", starts_on + timedelta(days=30)),
        is_published=published,
    )


@pytest.fixture
def campaign():
    campaign = _campaign()
    page = campaign.pages.create(
        slug="voices", title="声を上げてみよう", intro="ひとりで抱えないで。", order=1
    )
    page.items.create(kind="message", heading="あなたはひとりじゃない", body="話してみることから。", order=1)
    page.items.create(
        kind="qa", heading="相談するのは恥ずかしい？", body="恥ずかしいことではありません。", order=2
    )
    page.items.create(
        kind="tip", heading="話を聞くときは", body="否定せずに聞く。", attribution="臨床心理士 A", order=3
    )
    campaign.pages.create(slug="draft", title="下書き", is_published=False)
    return campaign


def test_campaign_page_shows_content_crisis_lines_and_the_navigator(client, campaign):
    response = client.get(reverse("network:campaign", args=[campaign.slug]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "孤独・孤立対策強化月間" in text and "声を上げやすい、声をかけやすい社会に。" in text
    assert reverse("network:campaign_page", args=[campaign.slug, "voices"]) in text
    assert "下書き" not in text
    assert f'href="{reverse("navigator:start")}"' in text
    lines = crisis_lines()
    assert lines, "the bundled directory has verified crisis lines"
    assert 'class="crisis"' in text and lines[0].name in text


def test_campaign_subpage_shows_messages_qa_and_expert_tips_in_order(client, campaign):
    response = client.get(reverse("network:campaign_page", args=[campaign.slug, "voices"]))
    text = response.content.decode()
    assert response.status_code == 200
    positions = [
        text.index(s) for s in ("あなたはひとりじゃない", "相談するのは恥ずかしい？", "話を聞くときは")
    ]
    assert positions == sorted(positions)
    assert "専門家からのヒント" in text and "臨床心理士 A" in text
    assert 'class="crisis"' in text
    assert client.get(reverse("network:campaign_page", args=[campaign.slug, "draft"])).status_code == 404


def test_unpublished_or_missing_campaigns_are_not_found(client):
    hidden = _campaign("hidden", published=False)
    assert client.get(reverse("network:campaign", args=[hidden.slug])).status_code == 404
    assert client.get(reverse("network:campaign", args=["nothing"])).status_code == 404


def test_an_expert_tip_names_its_author_and_the_period_is_ordered(campaign):
    tip = CampaignItem(page=campaign.pages.first(), kind="tip", heading="h", body="b")
    with pytest.raises(ValidationError):
        tip.full_clean()
    backwards = Campaign(slug="x", title="x", starts_on=date(2026, 5, 31), ends_on=date(2026, 5, 1))
    with pytest.raises(ValidationError):
        backwards.full_clean()


def _snapshot():
    """Row counts of every table, and the counters' values."""
    counts = {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
    }
    counters = dict(EntryVisitCount.objects.values_list("pk", "visits"))
    return counts, counters


def test_entry_link_counts_redirects_and_stores_nothing_else(client, campaign):
    tag = campaign_services.create_tag(campaign, "SMS-Carrier-A", "携帯電話会社AのSMS（5月1日）")
    assert tag.code == "sms-carrier-a"
    url = reverse("network:campaign_entry", args=["sms-carrier-a"])
    counts_before, counters_before = _snapshot()
    response = client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert response["Location"] == reverse("network:campaign", args=[campaign.slug])
    assert not response.cookies and not client.cookies
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    counts_after, counters_after = _snapshot()
    row = EntryVisitCount.objects.get(tag=tag)
    assert (row.day, row.visits) == (timezone.localdate(), 1)
    # one new counter row and nothing else in the whole database
    assert {k: v for k, v in counts_after.items() if counts_before[k] != v} == {"network.EntryVisitCount": 1}
    assert counters_after == {**counters_before, row.pk: 1}
    stored = " ".join(str(v) for v in EntryVisitCount.objects.values_list("pk", "tag", "day", "visits").get())
    assert "203.0.113.7" not in stored and "iPhone" not in stored

    counts_before, counters_before = _snapshot()
    client.get(url)
    counts_after, counters_after = _snapshot()
    assert counts_after == counts_before
    assert counters_after == {**counters_before, row.pk: 2}  # exactly one per request


def test_unknown_tags_count_as_unknown_and_still_reach_the_campaign(client, campaign):
    for code in ("no-such-tag", "DROP TABLE;", "x" * 60):
        response = client.get(reverse("network:campaign_entry", args=[code]))
        assert response.status_code == 302
        assert response["Location"] == reverse("network:campaign", args=[campaign.slug])
    unknown = EntryVisitCount.objects.get(tag__isnull=True, day=timezone.localdate())
    assert unknown.visits == 3


def test_unknown_tag_goes_to_the_current_campaign_or_the_navigator(client):
    response = client.get(reverse("network:campaign_entry", args=["anything"]))
    assert response.status_code == 302 and response["Location"] == reverse("navigator:start")
    today = timezone.localdate()
    old = _campaign("may-2025", starts_on=today - timedelta(days=400))
    assert client.get(reverse("network:campaign_entry", args=["x"]))["Location"].endswith(f"/{old.slug}/")
    current = _campaign("now", starts_on=today - timedelta(days=1))
    assert client.get(reverse("network:campaign_entry", args=["x"]))["Location"].endswith(f"/{current.slug}/")


def test_head_requests_redirect_without_counting(client, campaign):
    campaign_services.create_tag(campaign, "line-push", "LINE配信")
    response = client.head(reverse("network:campaign_entry", args=["line-push"]))
    assert response.status_code == 302
    assert not EntryVisitCount.objects.exists()


def test_counts_are_per_day(campaign):
    tag = campaign_services.create_tag(campaign, "sms", "SMS")
    campaign_services.count_visit("sms", date(2026, 5, 1))
    campaign_services.count_visit("sms", date(2026, 5, 1))
    campaign_services.count_visit("sms", date(2026, 5, 2))
    campaign_services.count_visit("unknown-one", date(2026, 5, 1))
    rows = sorted(EntryVisitCount.objects.values_list("tag_id", "day", "visits"), key=str)
    assert rows == sorted(
        [(tag.pk, date(2026, 5, 1), 2), (tag.pk, date(2026, 5, 2), 1), (None, date(2026, 5, 1), 1)], key=str
    )


def test_tags_are_validated(campaign):
    campaign_services.create_tag(campaign, "sms-a", "SMS A")
    for code, label in (("sms-a", "again"), ("bad code", "x"), ("-lead", "x"), ("ok", " ")):
        with pytest.raises(NetworkRuleError):
            campaign_services.create_tag(campaign, code, label)


def test_staff_visits_page(client, campaign, django_user_model):
    campaign_services.create_tag(campaign, "sms-a", "携帯電話会社AのSMS")
    campaign_services.count_visit("sms-a")
    campaign_services.count_visit("nope")
    url = reverse("network:campaign_visits")
    assert client.get(url).status_code == 302
    user = django_user_model.objects.create_user("office", password="x")
    login_staff(client, user)
    assert client.get(url).status_code == 403
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="network", codename="view_entryvisitcount")
    )
    text = client.get(url).content.decode()
    assert "sms-a" in text and "携帯電話会社AのSMS" in text and "登録されていないタグ" in text
    assert '<th scope="col">訪問数</th>' in text
