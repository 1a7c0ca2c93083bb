"""Invitations survive the failures seen in production, with real processes: Redis stopped
during a save, a worker killed with SIGKILL while it sends, a mail server refusing for ten
minutes. After each, every recipient has each version exactly once."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from liaison.calendars import invitations
from liaison.models import Contact, InviteDelivery, Meeting
from tests.factories import make_user
from tests.faults import (
    Cluster,
    MailServer,
    RedisServer,
    production_env,
    redis_cache,
    run_in_production,
    wait_for,
)
from tests.liaison.factories import make_meeting, make_regulator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
UTC = datetime.UTC
PEOPLE = 21


def planned_meeting(people=PEOPLE):
    """A public meeting with ``people`` invitees (delegates and regulator staff), planned:
    confirming it sends the invitations."""
    regulator = make_regulator("FDA CBER", "America/New_York")
    organiser = make_user("Secretariat", email="sam@example.org", first_name="Sam")
    delegates = [
        make_user("Liaison delegates", email=f"delegate{i}@example.org")
        for i in range(people // 2)
    ]
    meeting = make_meeting(
        regulator,
        title="Potency liaison",
        delegation=delegates,
        organiser=organiser,
        visibility="public",
        starts_at=datetime.datetime(2031, 3, 4, 15, tzinfo=UTC),
    )
    meeting.attendees.set(
        Contact.objects.create(name=f"Officer {i}", email=f"officer{i}@fda.example")
        for i in range(people - len(delegates))
    )
    meeting.save()  # a parental many-to-many is stored with its meeting
    return meeting


def invitees(meeting):
    return {u.email.lower() for u in meeting.delegation.all()} | {
        c.email.lower() for c in meeting.attendees.all()
    }


# What a production web process does when the Secretariat confirms the meeting and then
# presses Send: the save, then the send's transaction.
CONFIRM = (
    "from django.db import transaction\n"
    "from liaison.calendars import invitations\n"
    "from liaison.models import Meeting\n"
    "m = Meeting.objects.get(pk={pk})\n"
    "m.status = Meeting.Status.CONFIRMED\n"
    "m.save()\n"
    "with transaction.atomic():\n"
    "    print(invitations.queue(m), 'queued')\n"
)


def test_a_save_while_redis_is_down_keeps_its_invitations_and_the_site_serves(client):
    meeting = planned_meeting()
    redis = RedisServer().start()
    try:
        with MailServer() as smtp:
            env = production_env(smtp.port, redis.url)
            redis.stop()

            # The site, with this Redis as its cache, serves while it is down.
            with override_settings(CACHES=redis_cache(redis.url)):
                for path in ("/", "/meetings/", "/calendar/public.ics", "/calendar/subscribe/"):
                    assert client.get(path).status_code == 200, path
                health = client.get("/healthz")
                assert (health.status_code, health.json()["status"]) == (200, "degraded")

            # A production process confirms the meeting: the save succeeds, the hint to the
            # broker fails, the invitations are on record.
            saved = run_in_production(env, CONFIRM.format(pk=meeting.pk))
            assert saved.returncode == 0, saved.stderr
            assert f"{PEOPLE} queued" in saved.stdout
            assert "outbox sweep will send" in saved.stdout + saved.stderr
            rows = InviteDelivery.objects.filter(meeting=meeting)
            assert rows.count() == PEOPLE
            assert set(rows.values_list("status", flat=True)) == {"queued"}
            assert smtp.handler.messages == []

            # Redis comes back; a worker's sweep sends each invitation once.
            redis.start()
            cluster = Cluster(env).start()
            try:
                wait_for(lambda: len(smtp.handler.messages) >= PEOPLE, 120, "the invitations")
                wait_for(lambda: not rows.exclude(status="sent").exists(), 30, "the log")
            finally:
                cluster.stop()
            assert smtp.handler.received() == dict.fromkeys(invitees(meeting), 1)
    finally:
        redis.stop()


def test_a_worker_killed_while_sending_leaves_nobody_without_and_nobody_twice():
    meeting = planned_meeting()
    with MailServer() as smtp:
        # A short lease, so that the killed worker's message is due again soon.
        env = production_env(smtp.port, OUTBOX_LEASE_SECONDS="3")
        smtp.handler.hold_after = 7  # the eighth message hangs before its content is sent
        cluster = Cluster(env).start()
        try:
            confirmed = run_in_production(env, CONFIRM.format(pk=meeting.pk))
            assert confirmed.returncode == 0, confirmed.stderr
            wait_for(smtp.handler.holding.is_set, 60, "the worker to be mid-send")
            cluster.kill()
        finally:
            cluster.stop()
        assert len(smtp.handler.messages) == 7
        rows = InviteDelivery.objects.filter(meeting=meeting)
        assert rows.filter(status="queued").count() == PEOPLE - 7

        smtp.handler.hold_after = None
        smtp.handler.release.set()
        restarted = Cluster(env).start()
        try:
            wait_for(lambda: not rows.exclude(status="sent").exists(), 120, "every invitation")
        finally:
            restarted.stop()
        assert smtp.handler.received() == dict.fromkeys(invitees(meeting), 1), restarted.output()[
            -3000:
        ]


def test_a_mail_server_refusing_for_ten_minutes_delays_the_invitations_and_loses_none():
    with MailServer() as smtp:
        with (
            smtp.settings(),
            time_machine.travel(datetime.datetime(2031, 1, 6, 9, tzinfo=UTC)) as clock,
        ):
            meeting = planned_meeting()
            smtp.handler.refusing = True
            meeting.status = Meeting.Status.CONFIRMED
            meeting.save()
            invitations.queue(meeting)  # outside a transaction: the hint runs the task at once
            rows = InviteDelivery.objects.filter(meeting=meeting)
            assert rows.count() == PEOPLE
            # The sweep runs every minute; the server refuses for ten.
            for _minute in range(10):
                invitations.send_due_invitations()
                clock.shift(datetime.timedelta(minutes=1))
            assert smtp.handler.messages == []
            assert set(rows.values_list("status", flat=True)) == {"queued"}
            assert "451" in rows.first().last_error

            smtp.handler.refusing = False
            for _minute in range(20):  # the longest wait between attempts is 15 minutes
                invitations.send_due_invitations()
                clock.shift(datetime.timedelta(minutes=1))
        assert set(rows.values_list("status", flat=True)) == {"sent"}
        assert smtp.handler.received() == dict.fromkeys(invitees(meeting), 1)
        assert mail.outbox == []  # through the real server, not the test backend


def test_after_the_retry_window_failed_invitations_are_retried_at_once():
    with MailServer() as smtp:
        with (
            smtp.settings(OUTBOX_RETRY_HOURS=1),
            time_machine.travel(datetime.datetime(2031, 1, 6, 9, tzinfo=UTC)) as clock,
        ):
            meeting = planned_meeting(people=4)
            smtp.handler.refusing = True
            meeting.status = Meeting.Status.CONFIRMED
            meeting.save()
            invitations.queue(meeting)
            for _minute in range(0, 75, 5):
                clock.shift(datetime.timedelta(minutes=5))
                invitations.send_due_invitations()
            rows = InviteDelivery.objects.filter(meeting=meeting)
            assert set(rows.values_list("status", flat=True)) == {"failed"}

            smtp.handler.refusing = False
            assert invitations.retry_failed(InviteDelivery.objects.all()) == 4
        assert set(rows.values_list("status", flat=True)) == {"sent"}
        assert smtp.handler.received() == dict.fromkeys(invitees(meeting), 1)
