"""Background jobs for the advocacy site, run by django-q2 schedules."""

import logging
from itertools import groupby

from django.db import IntegrityError, transaction
from django.utils import timezone

from advocacy.models import ReviewReminder, positions_due_for_review
from cms import emails, outbox

logger = logging.getLogger(__name__)


@emails.batch()
def send_review_reminders(today=None):
    """E-mail each owner the positions of theirs that are past, or within 30 days of, their
    review date. Safe to run twice a day: a position is mentioned at most once a day.

    Return the number of e-mails queued.
    """
    today = today or timezone.localdate()
    due = positions_due_for_review(on=today).filter(policy_owner__isnull=False)
    due = due.exclude(policy_owner__email="").order_by("policy_owner_id", "review_by", "title")
    sent = 0
    for owner, positions in groupby(due, key=lambda p: p.policy_owner):
        # The claim and the e-mail in the outbox (cms.outbox) commit together: a retry never
        # mentions a position twice, and a refused e-mail is retried by the outbox.
        with transaction.atomic():
            positions = claim(list(positions), owner, today)
            if not positions:
                continue
            context = {"owner": owner, "positions": positions, "today": today}
            message = emails.message("advocacy/emails/review", context, to=[owner.email])
            outbox.post(message, kind="reminder")
        sent += 1
    logger.info("Review reminders: %d e-mail(s) queued for %s", sent, today)
    return sent


def claim(positions, owner, today):
    """Record today's reminder for each position; return those not already claimed."""
    claimed = []
    for position in positions:
        try:
            with transaction.atomic():
                ReviewReminder.objects.create(position=position, recipient=owner, sent_on=today)
        except IntegrityError:
            continue
        claimed.append(position)
    return claimed
