"""Plain helpers that build test data; one line per persona in permission tests."""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "correct-horse-battery"


def make_user(*groups, superuser=False, **kwargs):
    username = kwargs.pop("username", f"user-{uuid.uuid4().hex[:10]}")
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        email=kwargs.pop("email", f"{username}@example.org"),
        is_superuser=superuser,
        is_staff=superuser,
        **kwargs,
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user
