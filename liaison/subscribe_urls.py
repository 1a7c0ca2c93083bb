"""URLs under /calendar/ for stakeholder self-service (liaison.subscriptions)."""

from django.urls import path

from liaison import subscriptions

urlpatterns = [
    path("subscribe/", subscriptions.subscribe, name="subscribe"),
    path("subscribe/sent/", subscriptions.subscribe_sent, name="subscribe_sent"),
    path("subscribe/confirm/<str:token>/", subscriptions.confirm, name="subscribe_confirm"),
    path("subscribe/manage/<str:token>/", subscriptions.manage, name="subscribe_manage"),
    path(
        "subscribe/unsubscribe/<str:token>/",
        subscriptions.unsubscribe,
        name="subscribe_unsubscribe",
    ),
]
