"""Demo accounts: one per role. Their passwords are published in the README, so they are
only ever created on a development machine (DEBUG on)."""

DEMO_USERS = [
    # username, password, group, full name, superuser
    ("admin", "liaise-admin", None, "Ada Admin", True),
    ("editor", "liaise-editor", "Policy editors", "Elliot Editor", False),
    ("approver", "liaise-approver", "Policy approvers", "April Approver", False),
    ("delegate", "liaise-delegate", "Liaison delegates", "Dev Delegate", False),
    ("secretariat", "liaise-secretariat", "Secretariat", "Sam Secretariat", False),
]
