"""Every e-mail Liaise sends goes through here: invitations, reminders, subscription e-mails,
review reminders and Wagtail's workflow notices. Those are built here and sent by the worker
through the outbox (``cms.outbox``), never from a request.

- ``message(template, context, to=...)`` renders ``<template>-subject.txt`` and
  ``<template>-body.txt`` with the society (``society``, from Settings ▸ Society through
  ``cms.society``), its full name (``site_name``) and ``base_url`` in the context, prefixes
  the subject with the society's short name ("[SCGTP] "), sends it from ``sender()``, and
  adds List-Unsubscribe (with RFC 8058 one-click) when given an ``unsubscribe_url``. Every
  body template ends with ``emails/signature.txt``: the society's name, address and website.
- ``sender(on_behalf_of="")`` is the From: DEFAULT_FROM_EMAIL's address, under its own
  display name if it has one, else the society's name; "Jane Doe via SCGTP" for a person.
- ``batch()`` (a context manager or a decorator) reads the society once for a run of e-mails
  (a reminder job, a send), so that the queries of the run do not grow with its e-mails.
- ``absolute_url(path)`` is the one way to make an address that leaves the building: from
  ``BASE_URL``, never from a request.
- ``connection()`` opens the SMTP connection on the first e-mail sent through it (a run with
  nothing to send never connects), and closes it quietly at the end; ``send(msg, conn)``
  sends one message on it; ``reset(conn)`` drops a connection after a failure so that the next
  message reconnects rather than reuse a dead link.

The apps import this module; it imports neither of them.
"""

import contextlib
import contextvars
import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from cms import society as societies

logger = logging.getLogger(__name__)

SIGNATURE = "emails/signature.txt"

# Inside ``batch()``: a list holding the society once it has been read.
_batch = contextvars.ContextVar("cms_emails_batch", default=None)


@contextlib.contextmanager
def batch():
    """A run of e-mails that reads Settings ▸ Society once for all of them (a job that sends
    one e-mail per delegate asks the database once, not once per delegate). Inside another
    batch, it is part of that one."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set([])
    try:
        yield
    finally:
        _batch.reset(token)


def society():
    """The society the e-mails speak for (``cms.society.current``), read once per batch."""
    held = _batch.get()
    if held is None:
        return societies.current()
    if not held:
        held.append(societies.current())
    return held[0]


def site_name():
    """The society's full name."""
    return society().name


def subject_prefix(of=None):
    """The subject's prefix: the society's short name (or its full one) in brackets, as in
    "[SCGTP] "."""
    return f"[{(of or society()).short}] "


def sender(on_behalf_of="", of=None, from_email=None):
    """The From of our e-mails: the address of ``from_email`` (DEFAULT_FROM_EMAIL unless
    given) under its own display name, or the society's name when it has none; "Jane Doe via
    SCGTP" on behalf of someone."""
    of = of or society()
    own_name, address = parseaddr(from_email or settings.DEFAULT_FROM_EMAIL)
    if on_behalf_of:
        return formataddr((f"{on_behalf_of} via {of.short}", address))
    return formataddr((own_name or of.name, address))


def absolute_url(path):
    """``path`` (from ``reverse``) as an address that works outside the site: on BASE_URL."""
    return settings.BASE_URL.rstrip("/") + path


def context_for(context, of=None):
    """``context`` with the society (``society``, its full name as ``site_name``) and
    ``base_url``, as every e-mail template gets it."""
    of = of or society()
    return {"society": of, "site_name": of.name, "base_url": settings.BASE_URL, **context}


def render(subject_template, body_template, context):
    """(subject, body) rendered with the society and BASE_URL in the context (``context_for``).
    The subject is one line with the society's prefix in front."""
    of = society()
    context = context_for(context, of)
    subject = render_to_string(subject_template, context)
    body = render_to_string(body_template, context)
    return subject_prefix(of) + " ".join(subject.split()), body


@batch()
def message(
    template,
    context,
    *,
    to,
    from_email=None,
    reply_to=None,
    headers=None,
    unsubscribe_url=None,
    connection=None,
):
    """One e-mail from ``<template>-subject.txt`` and ``<template>-body.txt`` (e.g.
    ``"liaison/emails/invite"``), ready for attachments and alternatives."""
    subject, body = render(f"{template}-subject.txt", f"{template}-body.txt", context)
    headers = dict(headers or {})
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email or sender(),
        to=list(to),
        reply_to=reply_to,
        headers=headers,
        connection=connection,
    )


def send(msg, connection):
    """Send ``msg`` on ``connection``, opening it if this is its first message."""
    msg.connection = connection
    connection.open()  # does nothing when already open
    msg.send()


def reset(connection):
    """Close ``connection`` quietly: after a failure the next message reconnects."""
    try:
        connection.close()
    except Exception:
        logger.debug("Could not close the mail connection", exc_info=True)


@contextlib.contextmanager
def connection():
    """An SMTP connection for a run of e-mails, closed quietly at the end."""
    conn = get_connection()
    try:
        yield conn
    finally:
        reset(conn)


# --- Wagtail's workflow notices ----------------------------------------------------------------


class ThroughOurMail:
    """Wagtail's workflow e-mail notifiers, through the outbox (``cms.outbox``): the
    society's subject prefix, name and signature, queued in the transaction of the submission
    or decision, sent by the worker (an approver never waits on the mail server)."""

    @batch()
    def send_emails(self, template_set, context, recipients, **kwargs):
        from django.utils.translation import override

        from cms import outbox

        for recipient in recipients:
            context["user"] = recipient
            with override(recipient.wagtail_userprofile.get_preferred_language()):
                subject, body = render(template_set["subject"], template_set["text"], context)
                # Wagtail's templates are its own: the signature is added to what they say.
                body = body.strip() + "\n" + render_to_string(SIGNATURE, context_for(context))
                html = None
                if getattr(settings, "WAGTAILADMIN_NOTIFICATION_USE_HTML", False):
                    html = render_to_string(template_set["html"], context)
            msg = EmailMultiAlternatives(
                subject=subject,
                body=body,
                from_email=sender(from_email=settings.WAGTAILADMIN_NOTIFICATION_FROM_EMAIL),
                to=[recipient.email],
                headers={"Auto-Submitted": "auto-generated"},
            )
            if html:
                msg.attach_alternative(html, "text/html")
            outbox.post(msg, kind="workflow notice")
        return True


def send_workflow_notices_through_our_mail():
    """Put our notifiers in place of Wagtail's, under Wagtail's own dispatch_uids: whichever
    app is ready first, each notice is sent once, by ours."""
    from wagtail.admin import mail as wagtail_mail
    from wagtail.models import TaskState, WorkflowState
    from wagtail.signals import (
        task_submitted,
        workflow_approved,
        workflow_rejected,
        workflow_submitted,
    )

    notices = [
        (
            task_submitted,
            TaskState,
            "group_approval_task_submitted_email_notification",
            wagtail_mail.GroupApprovalTaskStateSubmissionEmailNotifier,
        ),
        (
            workflow_submitted,
            WorkflowState,
            "workflow_state_submitted_email_notification",
            wagtail_mail.WorkflowStateSubmissionEmailNotifier,
        ),
        (
            workflow_rejected,
            WorkflowState,
            "workflow_state_rejected_email_notification",
            wagtail_mail.WorkflowStateRejectionEmailNotifier,
        ),
        (
            workflow_approved,
            WorkflowState,
            "workflow_state_approved_email_notification",
            wagtail_mail.WorkflowStateApprovalEmailNotifier,
        ),
    ]
    for signal, sender, uid, notifier in notices:
        ours = type(notifier.__name__, (ThroughOurMail, notifier), {})()
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(ours, sender=sender, dispatch_uid=uid, weak=False)
