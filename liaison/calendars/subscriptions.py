"""Stakeholder self-service for the public meetings calendar, at /calendar/subscribe/.

The flow is double opt-in and needs no account:

1. The subscribe form stores an unconfirmed Subscriber and e-mails a signed confirmation link
   (valid CONFIRM_MAX_AGE). An address that is already confirmed gets a "you are already
   subscribed" e-mail with its manage link instead; the page answers the same either way, so
   the form does not tell anyone who is subscribed.
2. The confirmation link shows a button; only the POST confirms (mail scanners that fetch
   links do not subscribe anyone). Confirming issues the personal feed token and shows, and
   e-mails, the https:// and webcal:// addresses. The raw token exists only at that moment.
3. Every e-mail carries a signed manage link: change which meetings, get a new address (the
   old one stops working), or unsubscribe (tokens revoked, the subscriber deleted). The
   same signed value is the List-Unsubscribe header, with one-click POST (RFC 8058).

Links age. A manage link opens the manage page for MANAGE_MAX_AGE (90 days): a link in an old
e-mail that got out cannot change the subscription or get a new feed address for ever. The
expired page sends the visitor to the subscribe form, which e-mails an address that is
already subscribed a fresh manage link (and changes nothing). The same value still
unsubscribes for UNSUBSCRIBE_MAX_AGE (a year), because mail clients keep offering the
List-Unsubscribe header of old mail and unsubscribing grants nothing; the unsubscribe page
offers the manage page only while the link would still open it.

When the Secretariat revokes a subscriber's calendar address (subscribers_admin), the
revocation is recorded (Subscriber.feed_revoked_at): the manage page then gets no new address
and says whom to write to, until the Secretariat allows it again. Unsubscribing still works.

Subscribe requests are rate limited per client address and per e-mail address (the three
limits below, cms.ratelimit). Counts live in the cache, Redis with REDIS_URL, shared by every
web process and host; when Redis cannot be reached they are kept in the database
(cms.RateCounter), so an outage neither lifts the limits nor takes the form down. Without
REDIS_URL the cache is each process's LocMemCache, so the limits apply per gunicorn worker
(three by default): looser by that factor, but still bounded. The 429 page's Retry-After is
the time left in the window of the limit that tripped.
"""

import datetime
import email.utils
import logging
import math

from django import forms
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cms import emails, outbox
from cms.ratelimit import Limit
from cms.validators import refuse_control_characters
from liaison import visibility
from liaison.calendars import feeds
from liaison.calendars.models import Subscriber
from liaison.meetings.forms import CheckedModelMultipleChoiceField
from liaison.meetings.models import Regulator
from liaison.visibility import Audience

logger = logging.getLogger(__name__)

CONFIRM_SALT = "liaison.subscriptions.confirm"
MANAGE_SALT = "liaison.subscriptions.manage"
CONFIRM_MAX_AGE = 3 * 24 * 3600  # seconds a confirmation link stays valid
MANAGE_MAX_AGE = 90 * 24 * 3600  # seconds a manage link opens the manage page
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600  # seconds the same link still unsubscribes

# Any subscribe POST, valid or not, per client address per hour: a bound on form hammering.
POSTS_PER_IP = Limit("subscribe:post", 30, 3600)
# Valid subscribe requests (each sends an e-mail) per client address per hour.
REQUESTS_PER_IP = Limit("subscribe:ip", 5, 3600)
# Confirmation (or "already subscribed") e-mails per e-mail address per day.
EMAILS_PER_ADDRESS = Limit("subscribe:email", 3, 24 * 3600)


def public_regulators(*also):
    """Regulators a stakeholder can choose: those the directory lists publicly
    (``visibility.regulators_for``), with or without a public meeting yet, plus `also` (the
    ones a subscriber already chose, so that saving their settings does not drop one that was
    unlisted since)."""
    listed = visibility.regulators_for(Audience.PUBLIC).values("pk")
    return Regulator.objects.filter(Q(pk__in=listed) | Q(pk__in=[r.pk for r in also])).order_by(
        "acronym"
    )


class ScopeFields(forms.Form):
    """Which public meetings: all of them, or those with the chosen regulators."""

    ALL, CHOSEN = "all", "chosen"
    scope = forms.ChoiceField(
        label="Which meetings",
        choices=[
            (ALL, "All public meetings"),
            (CHOSEN, "Only meetings with the regulators I choose"),
        ],
        initial=ALL,
        widget=forms.RadioSelect,
    )
    regulators = CheckedModelMultipleChoiceField(
        label="Regulators",
        queryset=Regulator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, chosen=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regulators"].queryset = public_regulators(*chosen)

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.ALL:
            # Boxes ticked before choosing "All" (the page's script hides and disables them,
            # but not every browser runs it) are ignored, even stale or unknown ones.
            self.errors.pop("regulators", None)
            data["regulators"] = []
        if data.get("scope") == self.CHOSEN and not data.get("regulators"):
            self.add_error("regulators", "Choose at least one regulator, or all public meetings.")
        return data

    def save_scope(self, subscriber):
        everything = self.cleaned_data["scope"] == self.ALL
        subscriber.all_regulators = everything
        subscriber.save(update_fields=["all_regulators"])
        subscriber.regulators.set([] if everything else self.cleaned_data["regulators"])


class SubscribeForm(ScopeFields):
    name = forms.CharField(
        label="Your name", max_length=200, validators=[refuse_control_characters]
    )
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        validators=[refuse_control_characters],
        help_text="We send a confirmation link here; nothing is subscribed until you open it.",
    )
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        required=False,
        validators=[refuse_control_characters],
        help_text="Optional.",
    )
    field_order = ["name", "email", "organisation", "scope", "regulators"]

    def clean_email(self):
        local, _, domain = self.cleaned_data["email"].rpartition("@")
        return f"{local}@{domain.lower()}"


class ManageForm(ScopeFields):
    pass


# --- Signed links ---------------------------------------------------------------------------


def email_digest(email):
    return salted_hmac("liaison.subscriptions.link", email.lower()).hexdigest()[:24]


def _link_payload(subscriber):
    # A digest of the address is part of the signed value: a link for a deleted subscriber
    # never opens a later subscriber's settings, whatever its primary key. Signed values are
    # readable (base64 JSON), so the address itself stays out of links and server logs.
    return {"id": subscriber.pk, "e": email_digest(subscriber.email)}


def confirm_url(subscriber):
    token = signing.dumps(_link_payload(subscriber), salt=CONFIRM_SALT, compress=True)
    return emails.absolute_url(reverse("liaison:subscribe_confirm", args=[token]))


def manage_token(subscriber):
    return signing.dumps(_link_payload(subscriber), salt=MANAGE_SALT, compress=True)


def manage_url(subscriber):
    return emails.absolute_url(
        reverse("liaison:subscribe_manage", args=[manage_token(subscriber)])
    )


def unsubscribe_url(subscriber):
    """The List-Unsubscribe address: the manage token, accepted there for longer (see the
    module's docstring)."""
    token = manage_token(subscriber)
    return emails.absolute_url(reverse("liaison:subscribe_unsubscribe", args=[token]))


def opens_manage_page(token):
    """True while `token` is young enough for the manage page."""
    try:
        signing.loads(token, salt=MANAGE_SALT, max_age=MANAGE_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return False
    return True


class BadLink(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status, self.reason = status, reason


def subscriber_from(token, *, salt, max_age=None):
    """The Subscriber a signed link names; BadLink (400 or 404) when it cannot be used."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadLink(400, "expired") from None
    except signing.BadSignature:
        raise BadLink(400, "invalid") from None
    if not isinstance(data, dict) or type(data.get("id")) is not int:
        raise BadLink(400, "invalid")
    subscriber = Subscriber.objects.filter(pk=data["id"]).first()
    if subscriber is None or email_digest(subscriber.email) != data.get("e"):
        raise BadLink(404, "gone")
    return subscriber


def bad_link(request, error, link="confirm"):
    """The page for a link that cannot be used; `link` says which kind ("confirm", "manage"
    or "unsubscribe"), for what an expired one means."""
    context = {"reason": error.reason, "link": link, "manage_days": MANAGE_MAX_AGE // 86400}
    response = render(request, "liaison/subscribe/bad_link.html", context, status=error.status)
    return private(response)


def contact_email():
    """Where a subscriber writes to the Secretariat: the address our e-mails come from."""
    return email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def private(response):
    """Pages that show a feed address or a manage link: never cached, and their address
    (which holds the secret) is never sent to another site as a referrer. Not "no-referrer":
    browsers then send "Origin: null" with the page's own forms, and CSRF refuses them."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- E-mail ---------------------------------------------------------------------------------


def send(subscriber, template, **context):
    """Put one subscription e-mail in the outbox (``cms.outbox``), in the caller's
    transaction: the worker sends it, and retries it while the mail server is down, so the
    visitor is never told to try again. Its content (links that are credentials) is erased
    from the outbox once sent."""
    context = {
        "subscriber": subscriber,
        "manage_url": manage_url(subscriber),
        "subscribe_url": emails.absolute_url(reverse("liaison:subscribe")),
        **context,
    }
    message = emails.message(
        f"liaison/emails/subscribe-{template}",
        context,
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
        unsubscribe_url=unsubscribe_url(subscriber),
    )
    outbox.post(message, kind="subscription", sensitive=True)


def feed_context(raw_token):
    https_url, webcal_url = feeds.personal_feed_urls(raw_token)
    return {"https_url": https_url, "webcal_url": webcal_url}


# --- Rate limits ----------------------------------------------------------------------------


def client_address(request):
    """The visitor's IP address, as django-axes sees it too: X-Forwarded-For is believed only
    as far as TRUSTED_PROXY_COUNT says (see cms.clients)."""
    from cms.clients import client_address as address

    return address(request)


def in_words(seconds):
    """How long `seconds` is, roughly, after "try again": "in about 3 hours"."""
    minutes = math.ceil(seconds / 60)
    if minutes <= 1:
        return "in a minute or so"
    if minutes < 55:
        return f"in about {minutes} minutes"
    hours = max(1, round(seconds / 3600))
    return "in about an hour" if hours == 1 else f"in about {hours} hours"


def too_many(request, limit):
    """The 429 page for the `limit` that tripped: its Retry-After, the end of its window."""
    seconds = limit.retry_after()
    response = render(
        request, "liaison/subscribe/too_many.html", {"retry": in_words(seconds)}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


# --- Views ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def subscribe(request):
    if request.method == "POST":
        client = client_address(request)
        if POSTS_PER_IP.hit(client):
            return too_many(request, POSTS_PER_IP)
        form = SubscribeForm(request.POST)
        if form.is_valid():
            # Only requests that send an e-mail count here: a few typos do not lock anyone out.
            if REQUESTS_PER_IP.hit(client):
                return too_many(request, REQUESTS_PER_IP)
            if EMAILS_PER_ADDRESS.hit(form.cleaned_data["email"].lower()):
                return too_many(request, EMAILS_PER_ADDRESS)
            request_subscription(form)
            return redirect("liaison:subscribe_sent")
    else:
        form = SubscribeForm()
    return render(request, "liaison/subscribe/form.html", {"form": form})


def request_subscription(form):
    """Store the request and queue the one e-mail that fits, in one transaction; the caller
    answers the same whatever happened."""
    data = form.cleaned_data
    expired = timezone.now() - datetime.timedelta(seconds=CONFIRM_MAX_AGE)
    # Requests never confirmed within the link's lifetime are dropped.
    Subscriber.objects.filter(confirmed_at__isnull=True, created_at__lt=expired).delete()
    subscriber = Subscriber.objects.filter(email__iexact=data["email"]).first()
    if subscriber is not None and subscriber.confirmed_at:
        # Nothing changes on an unconfirmed say-so; the owner gets their manage link.
        send(subscriber, "already")
        return
    with transaction.atomic():
        if subscriber is None:
            subscriber = Subscriber(email=data["email"])
        subscriber.name = data["name"]
        subscriber.organisation = data["organisation"]
        try:
            with transaction.atomic():
                subscriber.save()
        except IntegrityError:  # the same address, submitted twice at once
            return
        form.save_scope(subscriber)
        send(
            subscriber,
            "confirm",
            confirm_url=confirm_url(subscriber),
            hours=CONFIRM_MAX_AGE // 3600,
        )


def subscribe_sent(request):
    return render(request, "liaison/subscribe/sent.html", {"days": CONFIRM_MAX_AGE // 86400})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscriber = subscriber_from(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except BadLink as error:
        return bad_link(request, error)
    if request.method == "GET" or subscriber.confirmed_at:
        return private(
            render(
                request,
                "liaison/subscribe/confirm.html",
                {
                    "subscriber": subscriber,
                    "already": bool(subscriber.confirmed_at),
                    "manage_url": manage_url(subscriber),
                },
            )
        )
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.confirmed_at:
            return redirect(request.path)
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
        raw_token = feeds.issue_token(subscriber=subscriber)
        links = feed_context(raw_token)
        send(subscriber, "welcome", **links)
    return private(
        render(
            request,
            "liaison/subscribe/links.html",
            {"subscriber": subscriber, "manage_url": manage_url(subscriber), **links},
        )
    )


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, token):
    try:
        subscriber = subscriber_from(token, salt=MANAGE_SALT, max_age=MANAGE_MAX_AGE)
    except BadLink as error:
        return bad_link(request, error, "manage")
    chosen = list(subscriber.regulators.all())
    initial = {
        "scope": ScopeFields.ALL if subscriber.all_regulators else ScopeFields.CHOSEN,
        "regulators": chosen,
    }
    form = ManageForm(initial=initial, chosen=chosen)
    context = {
        "subscriber": subscriber,
        "token": token,
        "saved": request.GET.get("saved"),
        "contact_email": contact_email(),
    }
    action = request.POST.get("action")
    if request.method == "POST" and action == "unsubscribe":
        return unsubscribe_now(request, subscriber)

    def refused():
        # The Secretariat switched the feed off: only they can allow a new address.
        page = render(
            request, "liaison/subscribe/manage.html", {"form": form} | context, status=403
        )
        return private(page)

    if request.method == "POST" and action in ("scope", "rotate") and subscriber.feed_revoked_at:
        return refused()
    if request.method == "POST" and action == "scope":
        form = ManageForm(request.POST, initial=initial, chosen=chosen)
        if form.is_valid():
            form.save_scope(subscriber)
            return redirect(reverse("liaison:subscribe_manage", args=[token]) + "?saved=1")
    if request.method == "POST" and action == "rotate" and subscriber.confirmed_at:
        with transaction.atomic():
            # Locked: a revocation by the Secretariat at the same moment either comes first,
            # and is seen here, or waits and then revokes the new address too.
            locked = Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
            if locked is None:
                return bad_link(request, BadLink(404, "gone"), "manage")
            if locked.feed_revoked_at:
                context["subscriber"] = locked
                return refused()
            raw_token = feeds.rotate_token(subscriber=locked)
            links = feed_context(raw_token)
            send(subscriber, "newlink", **links)
        return private(
            render(
                request,
                "liaison/subscribe/links.html",
                {"subscriber": subscriber, "manage_url": manage_url(subscriber), "rotated": True}
                | links,
            )
        )
    return private(render(request, "liaison/subscribe/manage.html", {"form": form} | context))


@csrf_exempt  # the signed token in the address is the credential; mail clients POST here
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """The List-Unsubscribe address. GET asks; POST (also RFC 8058 one-click) unsubscribes.
    It takes the manage token for UNSUBSCRIBE_MAX_AGE, longer than the manage page does, and
    never hands out a fresh manage link: an old link must not buy a new one."""
    try:
        subscriber = subscriber_from(token, salt=MANAGE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except BadLink as error:
        return bad_link(request, error, "unsubscribe")
    if request.method == "POST":
        return unsubscribe_now(request, subscriber)
    manage_path = reverse("liaison:subscribe_manage", args=[token])
    return private(
        render(
            request,
            "liaison/subscribe/unsubscribe.html",
            {
                "subscriber": subscriber,
                "manage_url": manage_path if opens_manage_page(token) else None,
            },
        )
    )


def unsubscribe_now(request, subscriber):
    with transaction.atomic():
        for token in subscriber.feed_tokens.filter(revoked_at__isnull=True):
            feeds.revoke(token)
        # Their personal data goes too; the feed tokens cascade with it.
        subscriber.delete()
    return private(render(request, "liaison/subscribe/unsubscribed.html"))
