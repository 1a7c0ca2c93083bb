"""The ledger in the admin (Liaison ▸ Asks): the listing with its filters, the page of an ask
with its timeline, and the forms that add to its history (an event, closing, reopening,
merging). Registered in liaison/wagtail_hooks.py. liaison.visibility decides, through the
permission policy, which asks and events each person sees."""

import datetime

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.auth import require_admin_access
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.snippets.views.snippets import SnippetViewSet

from advocacy.models import Topic
from liaison import visibility
from liaison.asks import events, ledger
from liaison.asks.forms import AskForm, CloseForm, EventForm, MergeForm, ReopenForm
from liaison.asks.models import REFERENCE_RE, AgendaAsk, Ask, AskEvent
from liaison.meetings import admin_views
from liaison.meetings.forms import CheckedFilterSet
from liaison.meetings.models import ActionItem, Regulator


class AskPermissionPolicy(ModelPermissionPolicy):
    """Wagtail's questions about asks, answered by liaison.visibility. An ask with a history
    is never deleted (its events are the record); one made by mistake, before anything
    happened to it, may be."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if action == "view":
            return visibility.may_view_ask(user, instance)
        if action == "change":
            return visibility.may_change_ask(user, instance)
        if action == "delete":
            return visibility.manages_all_meetings(user) and not instance.events.exists()
        return False

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return Ask.objects.none()
        if action == "view":
            return visibility.asks_visible_to(user)
        if action == "change":
            return visibility.asks_changeable_by(user)
        if action == "delete" and visibility.manages_all_meetings(user):
            return Ask.objects.filter(events__isnull=True)
        return Ask.objects.none()


ask_policy = AskPermissionPolicy(Ask)

OPEN, CLOSED = "open", "closed"
AGES = {"90": 90, "365": 365, "730": 730}


class AskFilterSet(CheckedFilterSet):
    state = django_filters.ChoiceFilter(
        label="Status",
        choices=[(OPEN, "Open (any)"), (CLOSED, "Closed (any)"), *ledger.STATUSES],
        method="filter_state",
        empty_label="Any",
    )
    regulators = django_filters.ModelMultipleChoiceFilter(
        label="Regulator", queryset=Regulator.objects.all(), distinct=False, method="filter_in"
    )
    topics = django_filters.ModelMultipleChoiceFilter(
        label="Topic", queryset=Topic.objects.all(), distinct=False, method="filter_in"
    )
    age = django_filters.ChoiceFilter(
        label="Raised",
        choices=[
            ("90", "More than 90 days ago"),
            ("365", "More than a year ago"),
            ("730", "More than two years ago"),
        ],
        method="filter_age",
        empty_label="Any time",
    )

    class Meta:
        model = Ask
        fields = ["state", "regulators", "topics", "age", "visibility", "organisation"]

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=ledger.OPEN)
        if value == CLOSED:
            return queryset.filter(status__in=ledger.CLOSED)
        return queryset.filter(status=value)

    def filter_in(self, queryset, name, value):
        # A subquery, not a join: no duplicate rows, no DISTINCT over the whole listing.
        if not value:
            return queryset
        through = getattr(Ask, name).through
        column = "regulator_id" if name == "regulators" else "topic_id"
        ids = through.objects.filter(**{f"{column}__in": value}).values("ask_id")
        return queryset.filter(pk__in=ids)

    def filter_age(self, queryset, name, value):
        days = AGES.get(value)
        if not days:
            return queryset
        return queryset.filter(raised_on__lt=timezone.localdate() - datetime.timedelta(days=days))


def ask_page_url(ask):
    return reverse("wagtailsnippets_liaison_ask:inspect", args=[ask.pk])


class AskIndexView(admin_views.SnippetIndexView):
    """The ledger: current asks (a merged one is found by its reference, leading to the ask
    it joined), each title leading to its page."""

    def _get_title_column(self, *args, **kwargs):
        column = super()._get_title_column(*args, **kwargs)
        column._get_url_func = self.get_inspect_url
        return column

    def get_base_queryset(self):
        return super().get_base_queryset().current().prefetch_related("regulators")

    def search_queryset(self, queryset):
        query = (self.search_query or "").strip().upper()
        if REFERENCE_RE.match(query):
            # A reference, perhaps of a merged ask: the ask it lives on in.
            named = Ask.objects.filter(reference=query).first()
            found = events.resolve(named) if named else None
            return queryset.filter(pk=found.pk if found else None)
        return super().search_queryset(queryset)


class AskCreateView(admin_views.snippet_views.CreateView):
    def get_success_url(self):
        return ask_page_url(self.object)


class AskEditView(admin_views.EditView):
    def get_success_url(self):
        return ask_page_url(self.object)


class AskPageView(admin_views.InspectView):
    """An ask's page: what it is, its timeline (its events and those of asks merged into it
    that the reader may see), the meetings it was put at, its actions."""

    template_name = "liaison/admin/ask_page.html"

    def get_page_title(self):
        return self.object.reference

    def get_page_subtitle(self):
        return self.object.title

    def may(self, action):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, action, self.object
        )

    @cached_property
    def header_buttons(self):
        ask, buttons = self.object, []
        if self.may("change") and not ask.merged_into_id:
            buttons.append(
                HeaderButton(
                    "Edit",
                    url=reverse(self.edit_url_name, args=[ask.pk]),
                    icon_name="edit",
                    priority=10,
                )
            )
            buttons.append(
                HeaderButton(
                    "Record an event",
                    url=reverse("liaison_ask_record", args=[ask.pk]),
                    icon_name="plus",
                    priority=20,
                )
            )
            if ask.is_closed:
                buttons.append(
                    HeaderButton(
                        "Reopen",
                        url=reverse("liaison_ask_reopen", args=[ask.pk]),
                        icon_name="undo",
                        priority=30,
                    )
                )
            else:
                buttons.append(
                    HeaderButton(
                        "Close",
                        url=reverse("liaison_ask_close", args=[ask.pk]),
                        icon_name="check",
                        priority=30,
                    )
                )
            if visibility.may_merge_asks(self.request.user):
                buttons.append(
                    HeaderButton(
                        "Merge",
                        url=reverse("liaison_ask_merge", args=[ask.pk]),
                        icon_name="resubmit",
                        priority=40,
                    )
                )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ask, user = self.object, self.request.user
        merged = list(ask.merged_asks.order_by("reference"))
        family = [ask.pk, *(m.pk for m in merged)]
        timeline = list(
            visibility.ask_events_visible_to(user, AskEvent.objects.filter(ask__in=family))
            .select_related("ask", "meeting", "other_ask", "recorded_by")
            .order_by("occurred_on", "pk")
        )
        links = list(
            AgendaAsk.objects.filter(
                ask__in=family,
                agenda_item__meeting__in=visibility.meetings_visible_to(user).values("pk"),
            )
            .filter(
                # A confidential item's asks: only its delegation (and the Secretariat).
                Q(agenda_item__confidential=False)
                | Q(agenda_item__meeting__in=visibility.meetings_changeable_by(user).values("pk"))
            )
            .select_related("agenda_item__meeting")
            .order_by("-agenda_item__meeting__starts_at")
        )
        actions = list(
            visibility.actions_visible_to(
                user, ActionItem.objects.filter(ask__in=family)
            ).select_related("meeting", "owner", "owner_organisation", "owner_regulator")
        )
        may_add_action = user.has_perm("liaison.add_actionitem")
        context.update(
            ask=ask,
            merged=merged,
            timeline=timeline,
            links=links,
            actions=actions,
            days_open=ask.days_open(),
            add_action_url=may_add_action
            and f"{reverse('actions:add')}?ask={ask.pk}&next={ask_page_url(ask)}",
            today=timezone.localdate(),
        )
        return context


class AskViewSet(SnippetViewSet):
    model = Ask
    icon = "help"
    menu_label = "Asks"
    permission_policy = ask_policy
    index_view_class = AskIndexView
    chooser_viewset_class = admin_views.ChooserViewSet
    add_view_class = AskCreateView
    edit_view_class = AskEditView
    delete_view_class = admin_views.DeleteView
    inspect_view_class = AskPageView
    history_view_class = admin_views.HistoryView
    usage_view_class = admin_views.UsageView
    copy_view_enabled = False
    inspect_view_enabled = True
    filterset_class = AskFilterSet
    list_display = [
        "reference",
        "title",
        Column("regulator_names", label="Regulators"),
        Column("status_label", label="Status", sort_key="status"),
        Column("raised_on", label="Raised", sort_key="raised_on"),
        Column("days_open", label="Days open"),
    ]
    list_export = [
        "reference",
        "title",
        "status",
        "raised_on",
        "answered_on",
        "closed_on",
        "visibility",
        "desired_outcome",
    ]
    ordering = ["-raised_on", "-pk"]
    list_per_page = 50
    edit_handler = ObjectList(Ask.panels, base_form_class=AskForm)

    def get_queryset(self, request):
        return ask_policy.instances_user_has_permission_for(request.user, "view")


# --- the forms that add to an ask's history ---------------------------------------------------


def _ask_for_change(request, pk):
    """The ask ``pk`` if ``request.user`` may change it: 404 when they may not see it (as an
    unknown id), 403 when they see it but may not change it."""
    ask = get_object_or_404(Ask, pk=pk)
    if not visibility.may_view_ask(request.user, ask):
        raise Http404
    if not visibility.may_change_ask(request.user, ask):
        raise PermissionDenied
    if ask.merged_into_id:
        messages.info(request, f"{ask.reference} was merged into {ask.merged_into.reference}.")
        return None, redirect(ask_page_url(events.resolve(ask)))
    return ask, None


def _form_page(request, ask, form, title, submit, template="liaison/admin/ask_form.html", **extra):
    return TemplateResponse(
        request,
        template,
        {
            "ask": ask,
            "form": form,
            "title": title,
            "submit": submit,
            "back_url": ask_page_url(ask),
            **extra,
        },
    )


def record_view(request, pk):
    ask, elsewhere = _ask_for_change(request, pk)
    if elsewhere:
        return elsewhere
    form = EventForm(request.POST or None, ask=ask)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            events.record(
                ask,
                data["kind"],
                on=data["occurred_on"],
                text=data["text"].strip(),
                url=data["url"],
                document_title=data["document_title"].strip(),
                visibility=data["visibility"],
                user=request.user,
            )
        except events.RefusedError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, f"{ask.reference}: {ledger.KIND_LABELS[data['kind']].lower()} recorded."
            )
            return redirect(ask_page_url(ask))
    return _form_page(request, ask, form, "Record an event", "Record it")


def close_view(request, pk):
    ask, elsewhere = _ask_for_change(request, pk)
    if elsewhere:
        return elsewhere
    if ask.is_closed:
        messages.info(request, f"{ask.reference} is already closed ({ask.status_label.lower()}).")
        return redirect(ask_page_url(ask))
    asks = visibility.asks_visible_to(request.user)
    form = CloseForm(request.POST or None, ask=ask, asks=asks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence = None
        if data["evidence_url"]:
            evidence = {
                "url": data["evidence_url"],
                "document_title": data["evidence_title"].strip(),
                "on": data["evidence_on"],
                "visibility": data["visibility"],
            }
        try:
            events.close(
                ask,
                data["outcome"],
                on=data["occurred_on"],
                text=data["text"].strip(),
                visibility=data["visibility"],
                user=request.user,
                superseded_by=data["superseded_by"],
                evidence=evidence,
            )
        except events.RefusedError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                f"{ask.reference} closed: {ledger.STATUS_LABELS[data['outcome']].lower()}.",
            )
            return redirect(ask_page_url(ask))
    return _form_page(
        request, ask, form, "Close the ask", "Close it", has_evidence=form.has_evidence
    )


def reopen_view(request, pk):
    ask, elsewhere = _ask_for_change(request, pk)
    if elsewhere:
        return elsewhere
    if not ask.is_closed:
        messages.info(request, f"{ask.reference} is open.")
        return redirect(ask_page_url(ask))
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            events.reopen(
                ask,
                note=form.cleaned_data["note"],
                visibility=form.cleaned_data["visibility"],
                user=request.user,
            )
        except events.RefusedError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{ask.reference} reopened.")
            return redirect(ask_page_url(ask))
    return _form_page(request, ask, form, "Reopen the ask", "Reopen it")


def merge_view(request, pk):
    ask, elsewhere = _ask_for_change(request, pk)
    if elsewhere:
        return elsewhere
    if not visibility.may_merge_asks(request.user):
        raise PermissionDenied
    asks = visibility.asks_visible_to(request.user)
    form = MergeForm(request.POST or None, ask=ask, asks=asks)
    if request.method == "POST" and form.is_valid():
        into = form.cleaned_data["into"]
        try:
            events.merge(ask, into, note=form.cleaned_data["note"].strip(), user=request.user)
        except events.RefusedError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{ask.reference} merged into {into.reference}.")
            return redirect(ask_page_url(into))
    return _form_page(request, ask, form, "Merge into another ask", "Merge")


def by_reference(request, reference):
    """/admin/asks/ref/FDA-ASK-2026-007/: the page of the ask with that reference, or of the
    ask it was merged into. 404 for a reference the user may not see."""
    ask = Ask.objects.filter(reference=reference.upper()).first()
    if ask is None or not visibility.may_view_ask(request.user, ask):
        raise Http404
    found = events.resolve(ask)
    if found.pk != ask.pk:
        if not visibility.may_view_ask(request.user, found):
            raise Http404
        messages.info(request, f"{ask.reference} was merged into {found.reference}.")
    return redirect(ask_page_url(found))


def admin_urls():
    guarded = require_admin_access
    return [
        path("asks/<int:pk>/record/", guarded(record_view), name="liaison_ask_record"),
        path("asks/<int:pk>/close/", guarded(close_view), name="liaison_ask_close"),
        path("asks/<int:pk>/reopen/", guarded(reopen_view), name="liaison_ask_reopen"),
        path("asks/<int:pk>/merge/", guarded(merge_view), name="liaison_ask_merge"),
        path("asks/ref/<str:reference>/", guarded(by_reference), name="liaison_ask_by_reference"),
    ]


# --- sections of other pages: a regulator's, a meeting's ---------------------------------------


REGULATOR_OPEN_SHOWN = 20


def regulator_section(request, regulator):
    """For a regulator's page in the directory: its open asks the user may see, and the
    median days from raising to an answer."""
    user = request.user
    if not user.has_perm("liaison.view_ask"):
        return None
    asks = visibility.asks_visible_to(user, Ask.objects.current().filter(regulators=regulator))
    # The longest open first; the ledger's listing has them all.
    open_asks = list(asks.open().order_by("raised_on", "pk")[: REGULATOR_OPEN_SHOWN + 1])
    pairs = list(asks.exclude(answered_on=None).values_list("raised_on", "answered_on"))
    return render_to_string(
        "liaison/admin/regulator_asks.html",
        {
            "regulator": regulator,
            "open_asks": open_asks[:REGULATOR_OPEN_SHOWN],
            "open_count": asks.open().count(),
            "median": ledger.median_days_to_answer(pairs),
            "answered": sum(1 for r, a in pairs if r and a),
            "list_url": reverse("wagtailsnippets_liaison_ask:list")
            + f"?regulators={regulator.pk}&state=open",
            "today": timezone.localdate(),
        },
        request=request,
    )


def meeting_section(request, meeting, audience):
    """For a meeting's page: the asks its agenda puts, with where each stands."""
    user = request.user
    if not user.has_perm("liaison.view_ask"):
        return None
    items = visibility.agenda_items_for(audience, meeting.agenda_items.all())
    links = list(
        AgendaAsk.objects.filter(agenda_item__in=items.values("pk"))
        .select_related("ask", "agenda_item")
        .filter(ask__in=visibility.asks_visible_to(user).values("pk"))
        .order_by("agenda_item__sort_order", "pk")
    )
    if not links:
        return None
    html = render_to_string("liaison/admin/meeting_asks.html", {"links": links}, request=request)
    return ("asks", "Asks", html)
