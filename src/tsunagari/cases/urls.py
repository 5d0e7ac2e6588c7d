"""The case staff pages, under /cases/ (names in the "cases" namespace); Japanese only."""

from django.urls import path

from tsunagari.cases import council_views, dashboard_views, page_views

app_name = "cases"

urlpatterns = [
    path("", page_views.case_list, name="case_list"),
    path("dashboard/", dashboard_views.coordinator_dashboard, name="dashboard"),
    path("<uuid:case_id>/", page_views.case_timeline, name="case_timeline"),
    path("<uuid:case_id>/sections/new/<slug:kind>/", page_views.section_new, name="section_new"),
    path("<uuid:case_id>/referrals/new/", page_views.referral_new, name="referral_new"),
    path("referrals/<uuid:referral_id>/", page_views.referral_detail, name="referral_detail"),
    path("<uuid:case_id>/sharing/", page_views.case_sharing, name="case_sharing"),
    path("<uuid:case_id>/consents/new/", page_views.consent_new, name="consent_new"),
    path("consents/<uuid:consent_id>/withdraw/", page_views.consent_withdraw, name="consent_withdraw"),
    path("shares/<uuid:share_id>/end/", page_views.share_end, name="share_end"),
    path("shared/", council_views.shared_list, name="shared_list"),
    path("shared/<uuid:share_id>/", council_views.shared_detail, name="shared_detail"),
    path("councils/", council_views.council_list, name="council_list"),
    path("councils/<int:council_id>/", council_views.council_detail, name="council_detail"),
    path("councils/<int:council_id>/bodies/new/", council_views.member_body_new, name="member_body_new"),
    path("councils/<int:council_id>/members/new/", council_views.member_new, name="member_new"),
    path("councils/<int:council_id>/meetings/new/", council_views.meeting_new, name="meeting_new"),
    path("memberships/<int:membership_id>/end/", council_views.membership_end, name="membership_end"),
    path("meetings/<uuid:meeting_id>/", council_views.meeting_detail, name="meeting_detail"),
]
