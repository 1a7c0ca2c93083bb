"""Saving a meeting or an action keeps the claims the reminder jobs made on it."""

from django.test import TestCase


class StaleSaveTestCase(TestCase):
    """An admin form loaded before the daily job ran must not undo the job's claim."""

    def test_saving_a_stale_meeting_or_action_keeps_the_reminder_claims(self):
        import datetime as dt

        from liaison.models import ActionItem, Meeting
        from tests.factories import make_user
        from tests.liaison.factories import make_meeting, make_regulator

        meeting = make_meeting(make_regulator())
        action = ActionItem.objects.create(
            meeting=meeting, description="Send examples", owner=make_user()
        )
        stale_meeting = Meeting.objects.get(pk=meeting.pk)
        stale_action = ActionItem.objects.get(pk=action.pk)
        Meeting.objects.filter(pk=meeting.pk).update(reminded_for=meeting.starts_at, sequence=4)
        ActionItem.objects.filter(pk=action.pk).update(reminded_on=dt.date(2026, 6, 1))

        stale_meeting.title = "Renamed"
        stale_meeting.save()
        stale_action.description = "Send three examples"
        stale_action.save()

        meeting.refresh_from_db()
        action.refresh_from_db()
        self.assertEqual(meeting.reminded_for, meeting.starts_at)
        self.assertEqual(meeting.sequence, 4)
        self.assertEqual(action.reminded_on, dt.date(2026, 6, 1))
        self.assertEqual((meeting.title, action.description), ("Renamed", "Send three examples"))
