"""Invitees answer an invitation (accept, tentative, decline) through signed links in its
e-mail, with no account: /invitations/reply/<token>/.

The token names the meeting and (as a keyed hash) the invitee's address, signed with the
site's secret key (``REPLY_SALT``), and works for ``MAX_AGE``. Opening a link shows the answer it stands for
and a button: only the POST records it, so mail scanners that fetch links answer nothing.
A tampered link, an expired one, or one for someone no longer invited gets a page that
says so and changes nothing. The latest answer of each address counts; the meeting's
Invitations panel lists them.
"""

from django.core import signing
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cms import emails
from liaison.calendars import invitations
from liaison.calendars.models import InvitationReply
from liaison.meetings.models import Meeting

REPLY_SALT = "liaison.invitations.reply"
MAX_AGE = 180 * 24 * 3600  # seconds a reply link works
Answer = InvitationReply.Answer


def address_digest(email):
    """The invitee's address in a link, as a keyed hash: the link never shows it."""
    return salted_hmac(REPLY_SALT, email.lower()).hexdigest()[:24]


def reply_token(meeting, email):
    return signing.dumps({"m": meeting.pk, "a": address_digest(email)}, salt=REPLY_SALT)


def reply_url(meeting, email, answer=None):
    url = emails.absolute_url(
        reverse("liaison:invitation_reply", args=[reply_token(meeting, email)])
    )
    return f"{url}?answer={answer}" if answer else url


def refused(request, reason, status):
    response = render(request, "liaison/invitations/reply_refused.html", {"reason": reason})
    response.status_code = status
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def reply(request, token):
    try:
        data = signing.loads(token, salt=REPLY_SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return refused(request, "expired", 410)
    except signing.BadSignature:
        return refused(request, "invalid", 400)
    meeting = Meeting.objects.filter(pk=data["m"]).first()
    if meeting is None:
        return refused(request, "gone", 404)
    if meeting.status == Meeting.Status.CANCELLED:
        return refused(request, "cancelled", 410)
    invitee = next(
        (p for p in invitations.recipients(meeting) if address_digest(p.email) == data["a"]),
        None,
    )
    if invitee is None:
        return refused(request, "not-invited", 410)
    email = invitee.email.lower()
    current = InvitationReply.objects.filter(meeting=meeting, recipient_email=email).first()
    chosen = request.POST.get("answer") if request.method == "POST" else request.GET.get("answer")
    chosen = chosen if chosen in Answer.values else None
    status = 200
    saved = False
    if request.method == "POST":
        if chosen is None:
            status = 400
        else:
            with transaction.atomic():
                current, _ = InvitationReply.objects.update_or_create(
                    meeting=meeting,
                    recipient_email=email,
                    defaults={"answer": chosen, "recipient_name": invitee.name[:200]},
                )
            saved = True
    response = render(
        request,
        "liaison/invitations/reply.html",
        {
            "meeting": meeting,
            "invitee": invitee,
            "current": current,
            "chosen": chosen or (current.answer if current else None),
            "answers": Answer.choices,
            "saved": saved,
            "error": status == 400,
        },
        status=status,
    )
    response["X-Robots-Tag"] = "noindex"
    # The link is a credential: never sent to another site (and "same-origin", not
    # "no-referrer", which makes browsers send "Origin: null" and CSRF refuse the form).
    response["Referrer-Policy"] = "same-origin"
    return response
