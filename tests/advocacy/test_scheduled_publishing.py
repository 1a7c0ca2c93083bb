import ast
import datetime

import time_machine
from django.test import TestCase
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task
from wagtail.models import Workflow

from advocacy.models import PositionPage
from tests.factories import make_position, make_position_index


def run_schedule(name):
    """Run a schedule's job the way the cluster does (tasks run inline in the test settings)."""
    schedule = Schedule.objects.get(name=name)
    async_task(schedule.func, *ast.literal_eval(f"({schedule.args},)"))


class ScheduledPublishingTestCase(TestCase):
    def test_a_scheduled_position_goes_live_when_the_schedule_runs(self):
        index = make_position_index()
        position = make_position(index, title="Scheduled", live=False)
        position.go_live_at = timezone.now() + datetime.timedelta(hours=1)
        revision = position.save_revision()
        revision.publish()  # An approved revision with a future go-live date is scheduled.
        position.refresh_from_db()
        revision.refresh_from_db()
        self.assertFalse(position.live)
        self.assertIsNotNone(revision.approved_go_live_at)

        with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=False):
            run_schedule("Publish scheduled pages")

        position.refresh_from_db()
        self.assertTrue(position.live)
        self.assertEqual(self.client.get(position.url).status_code, 200)

    def test_an_expired_position_is_unpublished_when_the_schedule_runs(self):
        index = make_position_index()
        position = make_position(index, title="Expiring")
        PositionPage.objects.filter(pk=position.pk).update(
            expire_at=timezone.now() - datetime.timedelta(minutes=1)
        )

        run_schedule("Publish scheduled pages")

        position.refresh_from_db()
        self.assertFalse(position.live)
        self.assertTrue(position.expired)


class WorkflowSetupTestCase(TestCase):
    def test_only_the_policy_committee_workflow_is_active(self):
        self.assertEqual(
            list(Workflow.objects.filter(active=True).values_list("name", flat=True)),
            ["Policy committee approval"],
        )
