"""Invitees answer an invitation (accept, tentative, decline) through signed links in its
e-mail, with no account: /invitations/reply/<token>/.

The token names the meeting and (as a keyed hash) the invitee's address, signed with the
site's secret key (``REPLY_SALT``), and works for ``MAX_AGE``. Opening a link shows the answer it stands for
and a button: only the POST records it, so mail scanners that fetch links answer nothing.
A tampered link, an expired one, or one for someone no longer invited gets a page that
says so and changes nothing. The latest answer of each address counts; the meeting's
Invitations panel lists them.

The papers an invitation lists (meeting materials shared with invitees or the public) are
downloaded the same way, at /invitations/material/<token>/: the token names the material and
the address (``MATERIAL_SALT``), for ``MAX_AGE``. Each download checks again that the paper
is still attached and still shared with that address's audience (a paper later kept for the
delegation, or moved to a confidential item, stops downloading), that the meeting is not
cancelled, and that the address is still invited and holds the invitation (its last
delivery is an invitation that went out, not a cancellation).
"""

import logging

from django.core import signing
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from cms import emails
from cms.validators import storable_id
from liaison import visibility
from liaison.calendars import invitations
from liaison.calendars.models import InvitationReply
from liaison.meetings.models import Meeting, MeetingMaterial

logger = logging.getLogger(__name__)

REPLY_SALT = "liaison.invitations.reply"
MATERIAL_SALT = "liaison.invitations.material"
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


# --- the papers of an invitation ---------------------------------------------------------------


def material_token(material, email):
    return signing.dumps({"p": material.pk, "a": address_digest(email)}, salt=MATERIAL_SALT)


def material_url(material, email):
    return emails.absolute_url(
        reverse("liaison:invitation_material", args=[material_token(material, email)])
    )


def _holds_invitation(meeting, email):
    """Was ``email`` sent an invitation, and is their last word from us not a cancellation?
    (An update still on its way counts: their calendar holds the earlier version.)"""
    rows = [
        d for d in invitations.live_rows(meeting) if d.recipient_email.lower() == email.lower()
    ]
    return bool(
        rows
        and rows[-1].method == invitations.REQUEST
        and any(d.method == invitations.REQUEST and d.sent_at for d in rows)
    )


def _material_from(token):
    """(material, None) for a good token, or (None, (reason, status))."""
    try:
        data = signing.loads(token, salt=MATERIAL_SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return None, ("expired", 410)
    except signing.BadSignature:
        return None, ("invalid", 400)
    pk = storable_id(data.get("p", "")) if isinstance(data, dict) else None
    if pk is None or not isinstance(data.get("a"), str):
        return None, ("invalid", 400)
    material = (
        MeetingMaterial.objects.select_related("meeting", "agenda_item", "document")
        .filter(pk=pk)
        .first()
    )
    if material is None:
        return None, ("paper-gone", 404)
    meeting = material.meeting
    if meeting.status == Meeting.Status.CANCELLED:
        return None, ("cancelled", 410)
    invitee = next(
        (p for p in invitations.recipients(meeting) if address_digest(p.email) == data["a"]),
        None,
    )
    if invitee is None or not _holds_invitation(meeting, invitee.email):
        return None, ("not-invited", 410)
    if not visibility.material_shown_to(invitee.audience, material):
        # Answers as a detached paper does: the link tells nothing about what became of it.
        return None, ("paper-gone", 404)
    return material, None


def material_refused(request, reason, status):
    response = render(
        request, "liaison/invitations/material_refused.html", {"reason": reason}, status=status
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_safe
def material(request, token):
    """Download a paper of an invitation, as an attachment (see the module docstring)."""
    found, refusal = _material_from(token)
    if refusal:
        return material_refused(request, *refusal)
    document = found.document
    try:
        handle = document.file.open("rb")
    except OSError:
        logger.error("Material %s: its file %s cannot be read", found.pk, document.file.name)
        return material_refused(request, "paper-gone", 404)
    response = FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type=document.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Robots-Tag"] = "noindex"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
