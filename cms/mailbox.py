"""Mail you can see in development: the e-mail backend of ``make run`` keeps every message
as an .eml file under DEV_MAILBOX_DIR (var/mail/), and /dev/mailbox/ shows them in the
browser, newest first, instead of printing them to the terminal.

- ``DevMailboxBackend`` writes each message it is given, as the mail server would receive
  it, to ``<DEV_MAILBOX_DIR>/<time>-<random>.eml`` (the envelope's recipients, Bcc included,
  in an ``X-Envelope-To`` header). Nothing is printed.
- ``enabled()``: the pages answer only while DEBUG is on and this backend is the one in use;
  anywhere else (production, the test settings) every page of the mailbox is a 404.
- The pages: the list (to, subject, time), one message (headers, its text with the links
  made clickable, its HTML part in a sandboxed frame that runs no script and loads nothing,
  and its attachments to download). Everything a message says is escaped.

The mailbox is a development tool: no sign-in, as the terminal it replaces had none.
"""

import datetime
import email
import email.policy
import mimetypes
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin

BACKEND = "cms.mailbox.DevMailboxBackend"
# <UTC time to the microsecond>-<12 random hex digits>; nothing else is ever opened.
MESSAGE_ID = re.compile(r"^\d{8}T\d{12}-[0-9a-f]{12}$")
LISTED = 200  # the newest messages the list shows
# The HTML part is someone else's markup: no script, no plugin, no request anywhere, no
# form; its own inline styles and embedded images only.
HTML_PART_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:; "
    "form-action 'none'; base-uri 'none'"
)


def enabled():
    """True when the mailbox pages answer: DEBUG on and this backend in use."""
    return bool(settings.DEBUG) and settings.EMAIL_BACKEND == BACKEND


def folder():
    """Where the messages are kept (DEV_MAILBOX_DIR, var/mail/ by default)."""
    return Path(getattr(settings, "DEV_MAILBOX_DIR", Path(settings.VAR_DIR) / "mail"))


# --- the backend --------------------------------------------------------------------------------


class DevMailboxBackend(BaseEmailBackend):
    """Keeps each message as an .eml file in ``folder()``; prints nothing."""

    def send_messages(self, email_messages):
        target = folder()
        target.mkdir(parents=True, exist_ok=True)
        kept = 0
        for message in email_messages:
            if not message.recipients():
                continue
            mime = message.message()
            mime["X-Envelope-To"] = ", ".join(message.recipients())
            name = f"{datetime.datetime.now(datetime.UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}"
            # Written aside, then renamed: the list never sees half a message.
            partial = target / f".{name}.partial"
            # As the SMTP backend sends it: CRLF line ends (calendars need them).
            partial.write_bytes(mime.as_bytes(linesep="\r\n"))
            partial.rename(target / f"{name}.eml")
            kept += 1
        return kept


# --- reading the messages -----------------------------------------------------------------------


@dataclass
class Attachment:
    index: int
    filename: str
    content_type: str
    size: int


@dataclass
class Letter:
    """One kept message, parsed: what the pages show of it."""

    id: str
    received: datetime.datetime
    message: email.message.EmailMessage = field(repr=False)

    def header(self, name):
        try:
            return str(self.message.get(name, "") or "")
        except Exception:  # noqa: BLE001 - a malformed header shows as its raw text
            return str(self.message.get_all(name, [""])[0])

    @property
    def shown_headers(self):
        """(name, value) of the headers the message page shows, those the message has."""
        names = ["From", "To", "Cc", "Reply-To", "X-Envelope-To", "List-Unsubscribe"]
        labels = {"X-Envelope-To": "Envelope to"}
        return [(labels.get(n, n), self.header(n)) for n in names if self.header(n)]

    @property
    def subject(self):
        return self.header("Subject") or "(no subject)"

    @property
    def to(self):
        return self.header("To") or self.header("X-Envelope-To")

    def _body(self, subtype):
        part = self.message.get_body(preferencelist=(subtype,))
        return part if part is not None and part.get_content_subtype() == subtype else None

    @property
    def text(self):
        part = self._body("plain")
        return decoded_text(part) if part is not None else ""

    @property
    def html(self):
        part = self._body("html")
        return decoded_text(part) if part is not None else ""

    def leaves(self):
        """Every part that is neither the text nor the HTML body, in the message's order."""
        bodies = {id(self._body("plain")), id(self._body("html"))}
        return [
            part
            for part in self.message.walk()
            if not part.is_multipart() and id(part) not in bodies
        ]

    @property
    def attachments(self):
        found = []
        for index, part in enumerate(self.leaves()):
            content_type = part.get_content_type()
            filename = part.get_filename() or (
                f"part-{index + 1}{mimetypes.guess_extension(content_type) or '.bin'}"
            )
            payload = part.get_payload(decode=True) or b""
            found.append(Attachment(index, filename, content_type, len(payload)))
        return found

    def attachment(self, index):
        """(filename, bytes) of attachment ``index``; Http404 if there is none."""
        leaves = self.leaves()
        if not 0 <= index < len(leaves):
            raise Http404("No such attachment.")
        return self.attachments[index].filename, leaves[index].get_payload(decode=True) or b""


def decoded_text(part):
    """A text part's content as str with \\n line ends, whatever (or however wrong) its
    charset."""
    try:
        text = part.get_content()
    except (LookupError, UnicodeError):
        text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return text.replace("\r\n", "\n")


def received_at(message_id):
    stamp = datetime.datetime.strptime(message_id.split("-")[0], "%Y%m%dT%H%M%S%f")
    return stamp.replace(tzinfo=datetime.UTC)


def read(message_id):
    """The kept message ``message_id``; Http404 for any other name or a missing file."""
    if not MESSAGE_ID.match(message_id):
        raise Http404("No such message.")
    try:
        data = (folder() / f"{message_id}.eml").read_bytes()
    except FileNotFoundError:
        raise Http404("No such message.") from None
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    return Letter(message_id, received_at(message_id), parsed)


def newest(limit=LISTED):
    """The kept messages, newest first."""
    try:
        names = sorted(
            (p.stem for p in folder().glob("*.eml") if MESSAGE_ID.match(p.stem)), reverse=True
        )
    except FileNotFoundError:
        return []
    letters = []
    for name in names[:limit]:
        try:
            letters.append(read(name))
        except Http404:  # deleted while listing
            continue
    return letters


# --- the pages ----------------------------------------------------------------------------------


def development_only(view):
    """``view``, answering 404 unless the mailbox is ``enabled()``."""

    def gated(request, *args, **kwargs):
        if not enabled():
            raise Http404("The mailbox exists only in development.")
        return view(request, *args, **kwargs)

    gated.__name__ = view.__name__
    gated.__doc__ = view.__doc__
    return gated


@development_only
def index(request):
    """The list of kept messages, newest first."""
    letters = newest()
    return TemplateResponse(
        request,
        "cms/mailbox/index.html",
        {"letters": letters, "folder": folder(), "limit": LISTED},
    )


@development_only
def detail(request, message_id):
    """One message: headers, text with clickable links, HTML part framed, attachments."""
    return TemplateResponse(request, "cms/mailbox/message.html", {"letter": read(message_id)})


@development_only
@xframe_options_sameorigin
def html_part(request, message_id):
    """The HTML part alone, for the sandboxed frame of the message page: the policy of this
    response runs no script and loads nothing from anywhere, even if opened directly."""
    letter = read(message_id)
    if not letter.html:
        raise Http404("This message has no HTML part.")
    response = HttpResponse(letter.html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = HTML_PART_POLICY
    return response


@development_only
def attachment(request, message_id, index):
    """An attachment (or any other part), always downloaded, never shown in the page."""
    filename, content = read(message_id).attachment(index)
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


app_name = "dev_mailbox"
urlpatterns = [
    path("", index, name="index"),
    path("<str:message_id>/", detail, name="message"),
    path("<str:message_id>/html/", html_part, name="html"),
    path("<str:message_id>/attachments/<int:index>/", attachment, name="attachment"),
]
