"""Both reminders run every day from django-q schedules."""

import datetime

from django.test import TestCase
from django_q.models import Schedule


class ScheduleTestCase(TestCase):
    def test_both_reminders_run_daily_from_schedules(self):
        for name, func in [
            ("Action reminders", "liaison.tasks.send_action_reminders"),
            ("Meeting reminders", "liaison.tasks.send_meeting_reminders"),
        ]:
            with self.subTest(name):
                schedule = Schedule.objects.get(name=name)
                self.assertEqual(schedule.func, func)
                self.assertEqual(schedule.schedule_type, Schedule.DAILY)
                self.assertEqual(schedule.repeats, -1)
                self.assertEqual(schedule.next_run.time(), datetime.time(7, 0))
