"""Every e-mail Liaise sends goes through here: invitations, reminders, subscription e-mails,
review reminders and Wagtail's workflow notices. Those are built here and sent by the worker
through the outbox (``cms.outbox``), never from a request.

- ``message(template, context, to=...)`` renders ``<template>-subject.txt`` and
  ``<template>-body.txt`` with the organisation's name (``site_name``) and ``base_url`` in the
  context, prefixes the subject with ``EMAIL_SUBJECT_PREFIX``, and adds List-Unsubscribe
  (with RFC 8058 one-click) when given an ``unsubscribe_url``.
- ``absolute_url(path)`` is the one way to make an address that leaves the building: from
  ``BASE_URL``, never from a request.
- ``connection()`` opens the SMTP connection on the first e-mail sent through it (a run with
  nothing to send never connects), and closes it quietly at the end; ``send(msg, conn)``
  sends one message on it; ``reset(conn)`` drops a connection after a failure so that the next
  message reconnects rather than reuse a dead link.

The apps import this module; it imports neither of them.
"""

import contextlib
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def site_name():
    return settings.SITE_NAME


def absolute_url(path):
    """``path`` (from ``reverse``) as an address that works outside the site: on BASE_URL."""
    return settings.BASE_URL.rstrip("/") + path


def render(subject_template, body_template, context):
    """(subject, body) rendered with the organisation's name and BASE_URL in the context.
    The subject is one line with EMAIL_SUBJECT_PREFIX in front."""
    context = {"site_name": site_name(), "base_url": settings.BASE_URL, **context}
    subject = render_to_string(subject_template, context)
    body = render_to_string(body_template, context)
    return settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), body


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
        from_email=from_email,
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
    organisation's subject prefix and name, queued in the transaction of the submission or
    decision, sent by the worker (an approver never waits on the mail server)."""

    def send_emails(self, template_set, context, recipients, **kwargs):
        from django.utils.translation import override

        from cms import outbox

        for recipient in recipients:
            context["user"] = recipient
            with override(recipient.wagtail_userprofile.get_preferred_language()):
                subject, body = render(template_set["subject"], template_set["text"], context)
                html = None
                if getattr(settings, "WAGTAILADMIN_NOTIFICATION_USE_HTML", False):
                    html = render_to_string(template_set["html"], context)
            msg = EmailMultiAlternatives(
                subject=subject,
                body=body.strip(),
                from_email=settings.WAGTAILADMIN_NOTIFICATION_FROM_EMAIL,
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
