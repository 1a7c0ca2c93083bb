"""URLs under /calendar/ for feeds and downloads (inside the ``liaison`` namespace)."""

from django.urls import path

from liaison import feeds

urlpatterns = [
    path("", feeds.calendar_index, name="calendar"),
    path("public.ics", feeds.public_feed, name="public_feed"),
    path("regulators/<str:key>.ics", feeds.regulator_feed, name="regulator_feed"),
    path("meetings/<uuid:uuid>.ics", feeds.public_meeting_ics, name="public_meeting_ics"),
    path("feed/<str:token>.ics", feeds.personal_feed, name="personal_feed"),
]
