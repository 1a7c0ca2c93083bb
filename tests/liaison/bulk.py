"""Build thousands of meetings and actions in a few bulk inserts.

Used by the query-count tests (tests/liaison/test_listing_queries.py) and the listing
benchmark (bench/bench_liaison_listings.py). Every third meeting is public, every third
members-only, every third confidential (with `delegate` on its delegation); each meeting has
two agenda items, the second confidential; meetings alternate past and future, one day
apart, across three zones. Actions cycle through the meetings; every other one is overdue.
"""

import datetime

from django.utils import timezone

from liaison.models import ActionItem, AgendaItem, Meeting

ZONES = ("America/Toronto", "Europe/Amsterdam", "Asia/Tokyo")
VISIBILITY = ("public", "members", "confidential")


def add_meetings(count, regulators, delegate, start=0):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    meetings = []
    for n in range(start, start + count):
        offset = datetime.timedelta(days=(n // 2) + 1) * (1 if n % 2 else -1)
        begins = now + offset
        meetings.append(
            Meeting(
                title=f"Bulk meeting {n:05d}",
                time_zone=ZONES[n % 3],
                starts_at=begins,
                ends_at=begins + datetime.timedelta(hours=2),
                location=f"Room {n}",
                status="confirmed",
                visibility=VISIBILITY[n % 3],
                public_summary=f"Summary {n}",
            )
        )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=500)
    Through = Meeting._meta.get_field("regulators").remote_field.through
    Through.objects.bulk_create(
        [
            Through(meeting_id=m.pk, regulator_id=regulators[i % len(regulators)].pk)
            for i, m in enumerate(meetings)
        ],
        batch_size=1000,
    )
    Delegation = Meeting._meta.get_field("delegation").remote_field.through
    Delegation.objects.bulk_create(
        [
            Delegation(meeting_id=m.pk, user_id=delegate.pk)
            for m in meetings
            if m.visibility == "confidential"
        ],
        batch_size=1000,
    )
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(
                meeting_id=m.pk,
                title=f"{label} item of {m.title}",
                confidential=secret,
                sort_order=order,
            )
            for m in meetings
            for order, (label, secret) in enumerate((("Open", False), ("Secret", True)))
        ],
        batch_size=1000,
    )
    return meetings


def add_actions(count, meetings, owner):
    today = timezone.localdate()
    return ActionItem.objects.bulk_create(
        [
            ActionItem(
                meeting_id=meetings[n % len(meetings)].pk,
                description=f"Bulk action {n:05d}",
                owner_id=owner.pk,
                due_date=today + datetime.timedelta(days=(-3 if n % 2 else 3)),
                status="open",
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
