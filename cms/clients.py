"""Who is asking: the client's address behind our proxies, and how many failed sign-ins that
client, and the account it names, may make.

The client's address
--------------------
Every proxy a request passes through appends the address it received the request from to
X-Forwarded-For, so the header reads "client, proxy 1, ..., proxy n-1" and REMOTE_ADDR is
proxy n. Anything a client sends in the header arrives unchanged at the left, so only the
entries our own proxies appended can be believed. With TRUSTED_PROXY_COUNT = n (the number of
proxies in front of the application, each of which appends to the header) the client is the
n-th entry from the right. With 0, the default, the header is ignored and the client is
REMOTE_ADDR. client_address() is the one answer for the whole site: the subscription rate
limits and django-axes (AXES_CLIENT_IP_CALLABLE) count the same address.

Sign-in throttling
------------------
django-axes records failed sign-ins. LOGIN_THROTTLE (settings) names what is counted and how
many failures within AXES_COOLOFF_TIME lock it out: an account from one client (low: a person
mistyping), one client over all accounts (password spraying), and one account over all
clients (a distributed attack on one account; high, since anyone can use it up and lock the
owner out for a while). LoginThrottle compares each count with its own limit; axes itself has
one AXES_FAILURE_LIMIT for every counter. A sign-in while locked out is refused before the
password is checked and is not counted, so a lock-out ends AXES_COOLOFF_TIME after the failure
that caused it, which locked_out_response() tells the person.
"""

import datetime
import ipaddress
import logging
import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

# --- The client's address ---------------------------------------------------------------------

_warned = set()


def _warn_once(key, message, *args):
    if key not in _warned:
        _warned.add(key)
        logger.warning(message, *args)


def _ip(value):
    """`value` as a normalised IP address string (an IPv4-mapped IPv6 address as IPv4), or
    None when it is not an address."""
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_address(request):
    """The address of the client that sent `request`, as a string; None when unknown.

    X-Forwarded-For is read only when TRUSTED_PROXY_COUNT is set, and then only its n-th
    entry from the right; with fewer entries (a request that did not come through all our
    proxies) or an entry that is not an IP address, the answer is REMOTE_ADDR."""
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0:
        if forwarded:
            _warn_once(
                "ignored",
                "X-Forwarded-For is ignored because TRUSTED_PROXY_COUNT is 0: every client "
                "is counted as %s. Behind a proxy, set TRUSTED_PROXY_COUNT.",
                remote,
            )
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")] if forwarded else []
    if len(entries) < proxies:
        _warn_once(
            "short",
            "X-Forwarded-For has fewer than TRUSTED_PROXY_COUNT=%s entries; using REMOTE_ADDR.",
            proxies,
        )
        return remote
    address = _ip(entries[-proxies])
    if address is None:
        _warn_once(
            "invalid",
            "X-Forwarded-For entry %s from the right is not an IP address; using REMOTE_ADDR.",
            proxies,
        )
        return remote
    return address


# --- Sign-in throttling (django-axes) -----------------------------------------------------------


def _lockout_limits():
    return [limit for _, limit in settings.LOGIN_THROTTLE]


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler, with a limit of its own for each counter of LOGIN_THROTTLE
    (AXES_LOCKOUT_PARAMETERS lists the same counters, in the same order)."""

    def counts(self, request, credentials=None):
        """Failures within the cool-off, one number per counter."""
        return [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]

    def get_failures(self, request, credentials=None):
        # axes locks out when this reaches AXES_FAILURE_LIMIT; report the counter nearest to
        # (or furthest over) its own limit on that scale.
        over = max(
            count - limit
            for count, limit in zip(
                self.counts(request, credentials), _lockout_limits(), strict=True
            )
        )
        return max(0, get_failure_limit(request, credentials) + over)

    def locked_until(self, request, credentials=None):
        """When every counter is back under its limit, if nothing else fails meanwhile."""
        cool_off = get_cool_off(request)
        if cool_off is None:
            return None
        until = None
        attempts = self.get_user_attempts(request, credentials)
        for queryset, limit in zip(attempts, _lockout_limits(), strict=True):
            rows = list(
                queryset.order_by("attempt_time").values_list(
                    "attempt_time", "failures_since_start"
                )
            )
            remaining = sum(failures for _, failures in rows)
            for attempt_time, failures in rows:
                if remaining < limit:
                    break
                # This attempt record stops counting at attempt_time + cool-off.
                remaining -= failures
                lifts = attempt_time + cool_off
                until = lifts if until is None else max(until, lifts)
        return until

    def reset_user_attempts(self, request, credentials=None):
        """After a successful sign-in, forget the failures of this account from this client
        only: signing in to one's own account must not wipe a client's failures on other
        accounts, nor an attacker's failures on this account from elsewhere."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


class RequestlessLoginBackend(AxesStandaloneBackend):
    """For the test settings only. Django's test Client.login() calls authenticate() without
    a request, which AxesStandaloneBackend refuses; in tests such a call is let through to
    ModelBackend. Production keeps AxesStandaloneBackend, so any sign-in path that does not
    pass the request fails loudly instead of escaping the throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def _next_whole_minute(moment):
    """`moment` if it is a whole minute, else the next whole minute."""
    floor = moment.replace(second=0, microsecond=0)
    return floor if floor == moment else floor + datetime.timedelta(minutes=1)


def locked_out_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin sign-in page again, status 429, saying when signing
    in will work again (also in Retry-After)."""
    from axes.handlers.proxy import AxesProxyHandler
    from wagtail.admin.views.account import get_user_login_form, password_reset_enabled

    handler = AxesProxyHandler.get_implementation()
    now = timezone.now()
    until = None
    if isinstance(handler, LoginThrottle):
        until = handler.locked_until(request, credentials)
    if until is None or until <= now:
        until = now + (get_cool_off(request) or datetime.timedelta(minutes=15))
    seconds = max(1, math.ceil((until - now).total_seconds()))

    context = {}
    if isinstance(original_response, TemplateResponse) and original_response.context_data:
        context.update(original_response.context_data)
    username = get_client_username(request, credentials) or ""
    context.update(
        {
            "form": get_user_login_form()(request, initial={"username": username}),
            "show_password_reset": password_reset_enabled(),
            "next": context.get("next") or request.POST.get("next", ""),
            "locked_until": timezone.localtime(until),
            # Shown to the minute, rounded up: "after 09:35", not 09:34 when it is 09:34:57.
            "try_again_at": _next_whole_minute(timezone.localtime(until)),
            "locked_minutes": math.ceil(seconds / 60),
        }
    )
    response = render(request, "cms/login_locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response
