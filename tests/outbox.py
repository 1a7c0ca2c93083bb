"""What the tests of e-mail share: transactions that commit, as in production, so that the
mail they put in the outbox (``cms.outbox``) is sent.

E-mail is written to the outbox in the transaction of the change that calls for it; when
that transaction commits, a hint asks the worker to send it (the test settings run django-q2
tasks inline). A Django ``TestCase`` is one transaction that never commits, so a test says
where a commit would be with ``committed()``, or makes its requests through
``CommittingClient``, or runs the worker itself (``cms.outbox.send_due``,
``invitations.send_due_invitations``) where the worker is what it is about.
"""

import contextlib

from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client, TestCase

from cms import outbox


@contextlib.contextmanager
def committed(using=DEFAULT_DB_ALIAS):
    """Run the block as a transaction that commits: the on_commit callbacks it registered run
    at its end (and those they register), and are then forgotten, as a commit forgets them.

    Not ``captureOnCommitCallbacks(execute=True)`` alone: that leaves the callbacks it ran
    registered, and the outbox asks the worker once per transaction (``outbox.hint``), so
    the next block of the same test would look hinted already and send nothing."""
    connection = connections[using]
    start = len(connection.run_on_commit)
    try:
        with TestCase.captureOnCommitCallbacks(using=using, execute=True) as callbacks:
            yield callbacks
    finally:
        del connection.run_on_commit[start:]


class CommittingClient(Client):
    """A test client each of whose requests commits when it ends, as in production (the site
    runs in autocommit, without ATOMIC_REQUESTS): the mail a request queues is sent then."""

    def request(self, **request):
        with committed():
            return super().request(**request)


def run(job, *args, **kwargs):
    """Run a worker's job (a reminder task, say) and commit, as the worker does: what it
    returns; the mail it queued has been sent by then (or kept, if the server refused it)."""
    with committed():
        return job(*args, **kwargs)


def sweep():
    """The outbox's sweep, as its schedule runs it every minute: the number of e-mails sent."""
    return outbox.send_due()
