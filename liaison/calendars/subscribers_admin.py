"""Admin for calendar subscribers: the Secretariat (liaison.view_subscriber) sees who follows
the public meetings, searches and filters them, and revokes their feed addresses or deletes
them. Subscribers sign themselves up (liaison.calendars.subscriptions); nobody adds them here, and the
e-mail address is not editable, since only its owner can confirm a new one.

A revocation is recorded (Subscriber.feed_revoked_at): until the Secretariat allows it again,
the subscriber's manage link gets no new address."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton

from cms.widgets import Checklist
from liaison.calendars import feeds
from liaison.calendars.models import Subscriber
from liaison.meetings.admin_views import CleanSpreadsheetMixin
from liaison.meetings.forms import CheckedFilterSet


def subscribers_with_feed_use():
    return Subscriber.objects.annotate(
        last_feed_use=Max("feed_tokens__last_used_at"),
        live_tokens=Count("feed_tokens", filter=Q(feed_tokens__revoked_at__isnull=True)),
    ).prefetch_related("regulators")


def scope_label(subscriber):
    if subscriber.all_regulators:
        return "All public meetings"
    return ", ".join(r.acronym for r in subscriber.regulators.all()) or "No regulators"


def revoke_all(subscriber):
    """Revoke every live feed token of `subscriber` and record that the Secretariat did, so
    that their manage link cannot get a new one; the number revoked."""
    with transaction.atomic():
        # The same lock as the manage page's "get a new address": one waits for the other.
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if locked.feed_revoked_at is None:
            locked.feed_revoked_at = timezone.now()
            locked.save(update_fields=["feed_revoked_at"])
        live = locked.feed_tokens.filter(revoked_at__isnull=True)
        return sum(feeds.revoke(token) for token in live)


def allow_new_address(subscriber):
    """Lift the Secretariat's revocation: the manage link can get a new address again."""
    return bool(
        Subscriber.objects.filter(pk=subscriber.pk, feed_revoked_at__isnull=False).update(
            feed_revoked_at=None
        )
    )


class SubscriberFilterSet(CheckedFilterSet):
    confirmed = django_filters.BooleanFilter(label="Confirmed", method="filter_confirmed")
    has_access = django_filters.BooleanFilter(
        label="Calendar address works", method="filter_access"
    )

    class Meta:
        model = Subscriber
        fields = ["all_regulators", "regulators"]

    def filter_confirmed(self, queryset, name, value):
        return queryset.filter(confirmed_at__isnull=not value)

    def filter_access(self, queryset, name, value):
        live = Q(feed_tokens__revoked_at__isnull=True, feed_tokens__isnull=False)
        ids = Subscriber.objects.filter(live).values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class IndexView(CleanSpreadsheetMixin, generic.IndexView):
    def get_base_queryset(self):
        return subscribers_with_feed_use()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not self.permission_policy.user_has_permission(self.request.user, "change"):
            return buttons
        if instance.live_tokens:
            buttons.append(
                ListingButton(
                    "Revoke calendar address",
                    url=reverse("subscribers:revoke", args=[instance.pk]),
                    icon_name="cross",
                    priority=25,
                )
            )
        if instance.feed_revoked_at:
            buttons.append(
                ListingButton(
                    "Allow a new calendar address",
                    url=reverse("subscribers:allow", args=[instance.pk]),
                    icon_name="key",
                    priority=26,
                )
            )
        return buttons


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "calendar"
    menu_label = "Calendar subscribers"
    add_to_admin_menu = True
    menu_order = 205
    index_view_class = IndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    filterset_class = SubscriberFilterSet
    search_fields = ["name", "email", "organisation"]
    form_fields = ["name", "organisation", "all_regulators", "regulators"]
    inspect_view_fields = [
        "name",
        "email",
        "organisation",
        "all_regulators",
        "regulators",
        "confirmed_at",
        "created_at",
        "feed_revoked_at",
    ]
    list_display = [
        "name",
        "email",
        "organisation",
        Column("scope", label="Meetings", accessor=scope_label),
        DateColumn("confirmed_at", label="Confirmed"),
        DateColumn("last_feed_use", label="Last calendar refresh"),
        Column("live_tokens", label="Working addresses"),
    ]
    list_export = ["name", "email", "organisation", "all_regulators", "confirmed_at"]
    list_per_page = 50
    ordering = ["-created_at"]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name == "regulators":
            kwargs["widget"] = Checklist
        return super().formfield_for_dbfield(db_field, **kwargs)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/revoke/", self.revoke_view, name="revoke"),
            path("<int:pk>/allow/", self.allow_view, name="allow"),
        ]

    def revoke_view(self, request, pk):
        """GET asks, POST revokes every live feed token of one subscriber."""
        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        subscriber = get_object_or_404(Subscriber, pk=pk)
        index_url = reverse(self.get_url_name("index"))
        if request.method == "POST":
            count = revoke_all(subscriber)
            messages.success(
                request,
                _(
                    "Revoked %(count)s calendar address(es) of %(name)s. They cannot get a new "
                    "one until you allow it."
                )
                % {"count": count, "name": subscriber},
            )
            return redirect(index_url)
        return TemplateResponse(
            request,
            "liaison/subscribe/admin_revoke.html",
            {
                "subscriber": subscriber,
                "live_tokens": subscriber.feed_tokens.filter(revoked_at__isnull=True).count(),
                "index_url": index_url,
                "header_icon": self.icon,
                "page_title": f"Revoke the calendar address of {subscriber}",
            },
        )

    def allow_view(self, request, pk):
        """GET asks, POST lifts a revocation: the subscriber may get a new address again."""
        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        subscriber = get_object_or_404(Subscriber, pk=pk)
        index_url = reverse(self.get_url_name("index"))
        if request.method == "POST":
            if allow_new_address(subscriber):
                messages.success(
                    request,
                    _("%(name)s can get a new calendar address from their manage link again.")
                    % {"name": subscriber},
                )
            return redirect(index_url)
        return TemplateResponse(
            request,
            "liaison/subscribe/admin_revoke.html",
            {
                "subscriber": subscriber,
                "allow": True,
                "index_url": index_url,
                "header_icon": self.icon,
                "page_title": f"Allow {subscriber} a new calendar address",
            },
        )
