from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Site
from wagtail.users.models import UserProfile

from advocacy.demo import seed_site
from cms.apps import point_site_at_base_url
from cms.demo import DEMO_USERS, DEMO_ZONES, SOCIETY, seed_society
from liaison.asks.demo import seed_asks
from liaison.demo import seed_directory, seed_meetings, seed_series


class Command(BaseCommand):
    help = "Load demo data for a cell and gene therapy society. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users",
            action="store_true",
            help="Load content only, without the demo accounts (allowed with DEBUG off).",
        )

    @transaction.atomic
    def handle(self, *args, no_users=False, **options):
        if not no_users and not settings.DEBUG:
            raise CommandError(
                "The demo accounts have published passwords, so they are only created with "
                "DEBUG on. Use --no-users to load the demo content alone."
            )
        # 1. Accounts, one per role.
        users = {} if no_users else self.seed_users()
        # 2. The society (Settings ▸ Society): name, address, website, paper, logo.
        seed_society()
        # 3. The public site: home page, positions, consultation responses.
        point_site_at_base_url()
        seed_site(owner=users.get("approver"))
        Site.objects.filter(
            is_default_site=True, site_name__in=["Liaise", "Cell and Gene Therapy Society"]
        ).update(site_name=SOCIETY["name"])
        # 4. The liaison directory: regulators, organisations, contacts.
        seed_directory()
        # 5. Meetings over the past year and the months ahead, with agendas and actions.
        seed_meetings(users)
        # 6. Series and day-long meetings: the annual meeting over three years, a monthly
        # call made by its rule, a two-day summit.
        seed_series(users)
        # 7. The asks ledger: meetings with FDA and Health Canada over three years, and asks
        # in every status.
        seed_asks(users)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))

    def seed_users(self):
        User = get_user_model()
        users = {}
        for username, password, group_name, full_name, superuser in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                first, last = full_name.split(" ", 1)
                user = User.objects.create_user(
                    username=username,
                    password=password,
                    email=f"{username}@scgtp.example.org",
                    first_name=first,
                    last_name=last,
                    is_staff=superuser,
                    is_superuser=superuser,
                )
                if group_name:
                    user.groups.add(Group.objects.get(name=group_name))
                if username in DEMO_ZONES:
                    profile = UserProfile.get_for_user(user)
                    profile.current_time_zone = DEMO_ZONES[username]
                    profile.save(update_fields=["current_time_zone"])
            users[username] = user
        return users
