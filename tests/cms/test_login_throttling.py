"""Failed sign-ins at the admin's own form (POST /admin/login/) lock out an account from one
client, one client over all accounts, and one account over all clients, each for a while."""

import datetime

import time_machine
from django.conf import settings
from django.test import Client, TestCase

from tests.factories import PASSWORD, make_user

LOGIN_URL = "/admin/login/"
START = datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC)
LOCKED = "Too many failed sign-in attempts"
WRONG = "Your username and password didn"


def limits():
    """(per account and client, per client, per account) from LOGIN_THROTTLE."""
    by_counter = {tuple(parameters): limit for parameters, limit in settings.LOGIN_THROTTLE}
    return (
        by_counter[("username", "ip_address")],
        by_counter[("ip_address",)],
        by_counter[("username",)],
    )


class LoginThrottlingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = make_user(superuser=True, username="alex")

    def setUp(self):
        self.per_account_and_client, self.per_client, self.per_account = limits()

    def client_at(self, address):
        return Client(REMOTE_ADDR=address)

    def sign_in(self, client=None, username="alex", password=PASSWORD):
        return (client or self.client).post(
            LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}
        )

    def assert_signed_in(self, response):
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertEqual(response["Location"], "/admin/")

    def assert_locked_out(self, response):
        self.assertContains(response, LOCKED, status_code=429)
        # The sign-in page, with its form, says when to come back.
        self.assertContains(response, "Try again after", status_code=429)
        self.assertContains(response, 'name="password"', status_code=429)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertGreater(int(response["Retry-After"]), 0)

    def test_forty_wrong_passwords_then_the_right_one_is_refused(self):
        responses = [self.sign_in(password=f"guess-{n}") for n in range(40)]
        before = self.per_account_and_client - 1
        for response in responses[:before]:
            self.assertContains(response, WRONG)
        for response in responses[before:]:
            self.assert_locked_out(response)
        response = self.sign_in()
        self.assert_locked_out(response)
        self.assertNotContains(response, WRONG, status_code=429)
        # Not signed in.
        self.assertRedirects(
            self.client.get("/admin/"), "/admin/login/?next=/admin/", fetch_redirect_response=False
        )

    def test_the_lock_out_expires(self):
        cool_off = settings.AXES_COOLOFF_TIME
        with time_machine.travel(START, tick=False):
            for n in range(40):
                self.sign_in(password=f"guess-{n}")
            response = self.sign_in()
            self.assert_locked_out(response)
            self.assertEqual(int(response["Retry-After"]), int(cool_off.total_seconds()))
            until = START + cool_off
            self.assertContains(response, f'datetime="{until.isoformat()}"', status_code=429)
            self.assertContains(response, until.strftime("%H:%M"), status_code=429)
        # Attempts during the lock-out did not extend it.
        with time_machine.travel(START + cool_off - datetime.timedelta(minutes=1), tick=False):
            self.assert_locked_out(self.sign_in())
            self.assert_locked_out(self.sign_in(password="still-guessing"))
        with time_machine.travel(START + cool_off + datetime.timedelta(seconds=1), tick=False):
            self.assert_signed_in(self.sign_in())

    def test_the_locked_account_still_signs_in_from_another_client(self):
        attacker = self.client_at("203.0.113.66")
        for n in range(40):
            self.sign_in(attacker, password=f"guess-{n}")
        self.assert_locked_out(self.sign_in(attacker))
        self.assert_signed_in(self.sign_in(self.client_at("198.51.100.10")))

    def test_another_account_from_the_same_client_is_throttled(self):
        """Spraying a few guesses at many accounts stops at the per-client limit."""
        sprayer = self.client_at("203.0.113.77")
        usernames = [f"staff-{n}" for n in range(self.per_client)]
        tries_each = self.per_account_and_client - 1
        responses = [
            self.sign_in(sprayer, username=usernames[n % len(usernames)], password=f"g{n}")
            for n in range(self.per_client * tries_each)
        ]
        first_locked = next(i for i, r in enumerate(responses) if r.status_code == 429)
        self.assertEqual(first_locked, self.per_client - 1)
        # The right password of an account never tried from this client is refused too...
        self.assert_locked_out(self.sign_in(sprayer))
        # ... while the same account signs in from elsewhere.
        self.assert_signed_in(self.sign_in(self.client_at("198.51.100.10")))

    def test_many_clients_together_lock_the_account_for_a_while(self):
        clients = self.per_account // (self.per_account_and_client - 1) + 1
        for c in range(clients):
            client = self.client_at(f"203.0.113.{c + 1}")
            for n in range(self.per_account_and_client - 1):
                self.sign_in(client, password=f"guess-{c}-{n}")
        self.assert_locked_out(self.sign_in(self.client_at("198.51.100.10")))

    def test_a_successful_sign_in_resets_the_count(self):
        almost = self.per_account_and_client - 1
        for round_ in range(3):
            client = self.client_at("198.51.100.10")
            for n in range(almost):
                self.assertContains(self.sign_in(client, password=f"typo-{round_}-{n}"), WRONG)
            self.assert_signed_in(self.sign_in(client))

    def test_the_test_clients_own_login_still_works(self):
        self.assertTrue(self.client.login(username="alex", password=PASSWORD))
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        other = Client()
        other.force_login(self.user)
        self.assertEqual(other.get("/admin/").status_code, 200)
