from django.urls import include, path

from liaison import views

app_name = "liaison"

urlpatterns = [
    path("meetings/", views.public_meetings, name="public_meetings"),
    path("meetings/<uuid:uuid>/", views.public_meeting, name="public_meeting"),
    # Calendar feeds and downloads, and stakeholder self-service, share /calendar/.
    path("calendar/", include("liaison.feed_urls")),
    path("calendar/", include("liaison.subscribe_urls")),
]
