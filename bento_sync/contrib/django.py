"""A Django email backend that delivers through Bento's ``batch/emails``.

::

    EMAIL_BACKEND = "bento_sync.contrib.django.EmailBackend"   # Django 6.0 and older
    MAILERS = {"default": {"BACKEND": "bento_sync.contrib.django.EmailBackend"}}  # 6.1+
    BENTO_PUBLISHABLE_KEY = ...   # or the BENTO_* environment variables
    BENTO_SECRET_KEY = ...
    BENTO_SITE_UUID = ...

``send_mail``, ``EmailMessage`` and ``EmailMultiAlternatives`` then go out through Bento,
60 emails per request at the client's email pace (a message with many recipients may span
two requests). Each recipient (``to``, ``cc`` and
``bcc``) gets an email of its own (Bento carries one ``to``). The HTML alternative is the
``html_body``; a plain-text message is HTML-escaped (braces too, so Bento's Liquid leaves it
alone) and wrapped so its line breaks show. Bento cannot carry attachments, other
alternatives, reply-to, custom headers or several senders: such a message raises
ValidationError before anything is sent. Sender display names are dropped (Bento sends as
the author). ``BENTO_EMAIL_TRANSACTIONAL`` (default True) marks the emails transactional,
so they also reach unsubscribed addresses, as password resets must.

One sync client per process and configuration is shared by every connection, so its
email pace holds across ``send_mail`` calls.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Sequence
from email.utils import getaddresses
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from bento_async import BentoError, Email, InputIssue, ValidationError
from bento_async.resources.emails import MAX_EMAILS

from .._client import Bento

__all__ = ["EmailBackend", "accepted_messages", "to_bento_emails"]

log = logging.getLogger("bento_sync.contrib.django")

_SETTINGS = ("publishable_key", "secret_key", "site_uuid", "base_url", "rate_limits")
_clients: dict[tuple[Any, ...], Bento] = {}
_clients_lock = threading.Lock()


def _text_as_html(text: str) -> str:
    escaped = html.escape(text).replace("{", "&#123;").replace("}", "&#125;")
    return f'<div style="white-space: pre-wrap">{escaped}</div>'


def _html_body(message: EmailMessage, issues: list[InputIssue]) -> str:
    """The HTML Bento sends: the HTML alternative, an HTML body, or the escaped text."""
    alternatives = getattr(message, "alternatives", None) or []
    html_parts = [content for content, mimetype in alternatives if mimetype == "text/html"]
    others = sorted({mimetype for _, mimetype in alternatives if mimetype != "text/html"})
    if others or len(html_parts) > 1:
        issues.append(InputIssue("alternatives", "Bento carries one text/html alternative only"))
    if html_parts:
        return str(html_parts[0])
    if message.content_subtype == "html":
        return str(message.body)
    return _text_as_html(str(message.body))


def _sender(message: EmailMessage, issues: list[InputIssue]) -> str:
    addresses = [addr for _, addr in getaddresses([str(message.from_email or "")]) if addr]
    if len(addresses) != 1:
        issues.append(InputIssue("from_email", "Bento sends from exactly one author address"))
        return ""
    return addresses[0]


def to_bento_emails(message: EmailMessage, transactional: bool = True) -> list[Email]:
    """Return the Bento emails for one Django message, one per recipient.

    Raises ValidationError for what Bento cannot carry (attachments, other alternatives,
    reply-to, custom headers, several senders).
    """
    issues: list[InputIssue] = []
    if message.attachments:
        issues.append(InputIssue("attachments", "Bento cannot send attachments"))
    if message.reply_to:
        issues.append(InputIssue("reply_to", "Bento cannot set a reply-to address"))
    if message.extra_headers:
        names = ", ".join(sorted(message.extra_headers))
        issues.append(InputIssue("headers", f"Bento cannot set headers ({names})"))
    sender = _sender(message, issues)
    body = _html_body(message, issues)
    if issues:
        raise ValidationError(issues)
    recipients = [addr for _, addr in getaddresses(message.recipients()) if addr]
    return [Email(to, sender, str(message.subject), body, transactional) for to in recipients]


def _shared_client(options: dict[str, Any]) -> Bento:
    """Return the process's client for these settings (made once, closed at exit)."""
    key = tuple(sorted(options.items()))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = Bento(**options)
        return client


def accepted_messages(sizes: list[int], accepted_chunks: list[bool]) -> int:
    """Count the messages all of whose emails went out in accepted requests.

    ``sizes`` gives each message's number of emails, in order; the emails travel in
    requests of ``MAX_EMAILS`` (a message may straddle two), ``accepted_chunks`` says which
    requests Bento accepted whole.
    """
    count, start = 0, 0
    for size in sizes:
        first, last = start // MAX_EMAILS, (start + size - 1) // MAX_EMAILS
        count += all(accepted_chunks[first : last + 1])
        start += size
    return count


class EmailBackend(BaseEmailBackend):
    """Send Django mail through Bento (see the module docstring).

    Keyword arguments (in Django 6.1 and later, a mailer's ``OPTIONS``: ``fail_silently``,
    ``publishable_key``, ``secret_key``, ``site_uuid``, ``base_url``, ``rate_limits``,
    ``transactional``) override the Django settings of the same names in
    capitals with a ``BENTO_`` prefix (``BENTO_EMAIL_TRANSACTIONAL`` for the last), which
    override the ``BENTO_*`` environment variables. Raises ConfigError when a key is missing.
    """

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        options = {name: kwargs.pop(name, None) for name in _SETTINGS}
        transactional = kwargs.pop("transactional", None)
        # Django 6.1 deprecates fail_silently in the base class: backends keep their own.
        super().__init__(**kwargs)
        self.fail_silently = fail_silently
        for name in _SETTINGS:
            if options[name] is None:
                options[name] = getattr(settings, f"BENTO_{name.upper()}", None)
        if transactional is None:
            transactional = getattr(settings, "BENTO_EMAIL_TRANSACTIONAL", True)
        self.transactional = bool(transactional)
        self._client = _shared_client(options)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Send the messages; return how many Bento accepted whole.

        Every message is checked before anything is sent. Unless ``fail_silently``,
        raises ValidationError for a message Bento cannot carry and the first error of a
        request (AuthorNotAuthorizedError for a sender that is not an author, ...).
        """
        converted = self._convert(email_messages)
        emails = [email for message_emails in converted for email in message_emails]
        accepted: list[bool] = []
        for start in range(0, len(emails), MAX_EMAILS):
            chunk = emails[start : start + MAX_EMAILS]
            try:
                result = self._client.emails.send_batch(chunk)
            except BentoError as exc:
                self._fail(exc)
                accepted.append(False)
                continue
            accepted.append(result.ok and result.results == len(chunk))
        return accepted_messages([len(e) for e in converted], accepted)

    def _convert(self, messages: Sequence[EmailMessage]) -> list[list[Email]]:
        converted: list[list[Email]] = []
        for message in messages:
            try:
                emails = to_bento_emails(message, self.transactional)
            except ValidationError as exc:
                self._fail(exc)
                continue
            if emails:
                converted.append(emails)
        return converted

    def _fail(self, error: BentoError) -> None:
        if not self.fail_silently:
            raise error
        log.warning("bento email backend: not sent: %s", error)
