"""The public addresses of liaison (namespace ``liaison``); admin URLs are registered in
wagtail_hooks.py."""

from django.urls import path

from liaison.asks import views as asks
from liaison.calendars import feeds, replies, subscriptions
from liaison.meetings import series_pages, views

app_name = "liaison"

urlpatterns = [
    path("meetings/", views.public_meetings, name="public_meetings"),
    path("meetings/<uuid:uuid>/", views.public_meeting, name="public_meeting"),
    # Regulators the directory lists publicly: a page each, with its feed and meetings.
    path("regulators/", views.public_regulators, name="public_regulators"),
    path("regulators/<str:key>/", views.public_regulator, name="public_regulator"),
    # What the society asked regulators, and what came of it (public events only).
    path("impact/", asks.impact, name="impact"),
    path("impact/<str:reference>/", asks.impact_ask, name="impact_ask"),
    # Calendar feeds and downloads.
    path("calendar/", feeds.calendar_index, name="calendar"),
    path("calendar/public.ics", feeds.public_feed, name="public_feed"),
    path("calendar/regulators/<str:key>.ics", feeds.regulator_feed, name="regulator_feed"),
    path("calendar/meetings/<uuid:uuid>.ics", feeds.public_meeting_ics, name="public_meeting_ics"),
    path("calendar/series/<uuid:uuid>.ics", feeds.series_feed, name="series_feed"),
    path("series/<uuid:uuid>/", series_pages.public_series, name="public_series"),
    path("calendar/feed/<str:token>.ics", feeds.personal_feed, name="personal_feed"),
    # Invitees answer an invitation through the signed links in its e-mail.
    path("invitations/reply/<str:token>/", replies.reply, name="invitation_reply"),
    path("invitations/material/<str:token>/", replies.material, name="invitation_material"),
    # Stakeholders follow public meetings in their own calendars (double opt-in).
    path("calendar/subscribe/", subscriptions.subscribe, name="subscribe"),
    path("calendar/subscribe/sent/", subscriptions.subscribe_sent, name="subscribe_sent"),
    path(
        "calendar/subscribe/confirm/<str:token>/",
        subscriptions.confirm,
        name="subscribe_confirm",
    ),
    path("calendar/subscribe/manage/<str:token>/", subscriptions.manage, name="subscribe_manage"),
    path(
        "calendar/subscribe/unsubscribe/<str:token>/",
        subscriptions.unsubscribe,
        name="subscribe_unsubscribe",
    ),
]
