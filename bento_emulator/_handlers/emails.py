"""Emails: `POST batch/emails`, 1..60 emails, each into the outbox (§3.2, §10.3).

Every `from` must be an author (`BentoEmulator(authors=...)`): one that is not refuses the
whole call, before anything is stored, with 500 `{"error": "Author not authorized to send on
this account"}` (or 422 with `author_error_status=422`). `to`, `from`, `subject` and
`html_body` are required; a bad item counts as failed. An unknown recipient becomes a
subscriber. A non-transactional email (the default) to an unsubscribed person is accepted but
not delivered. Delivered emails get send slots at 60 a minute. No automations fire.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .._state import EmulatorState, JSONValue
from ._common import (
    ApiFailure,
    Call,
    Reply,
    Route,
    counts,
    is_valid_email,
    optional_object,
    require_object,
    required_email,
    required_text,
    run_batch,
    wrapped_items,
)

MAX_EMAILS = 60
AUTHOR_NOT_AUTHORIZED = "Author not authorized to send on this account"


@attrs.frozen
class EmailInput:
    """One validated `batch/emails` item."""

    to: str
    from_: str
    subject: str
    html_body: str
    transactional: bool
    personalizations: Mapping[str, JSONValue]


def parse_email(item: JSONValue) -> EmailInput:
    """Validate an email: addresses well formed, subject and body not blank."""
    item = require_object(item, "email")
    return EmailInput(
        to=required_email(item, "to"),
        from_=required_email(item, "from"),
        subject=required_text(item.get("subject"), "subject"),
        html_body=required_text(item.get("html_body"), "html_body"),
        transactional=item.get("transactional") in (True, "true"),
        personalizations=optional_object(item, "personalizations"),
    )


def check_authors(call: Call, items: list[JSONValue]) -> None:
    """Refuse the whole call when any well-formed `from` is not an author of the account."""
    authors = {a.lower() for a in call.settings.authors}
    for item in items:
        sender = item.get("from") if isinstance(item, dict) else None
        if is_valid_email(sender) and sender.lower() not in authors:
            status = call.settings.author_error_status
            raise ApiFailure(status, {"error": AUTHOR_NOT_AUTHORIZED})


def queue(state: EmulatorState, email: EmailInput) -> None:
    """Create the recipient if needed and put the email in the outbox."""
    recipient, _ = state.find_or_create_subscriber(email.to)
    state.queue_email(
        to=email.to,
        from_=email.from_,
        subject=email.subject,
        html_body=email.html_body,
        transactional=email.transactional,
        personalizations=email.personalizations,
        delivered=email.transactional or recipient.subscribed,
    )


def send_emails(call: Call) -> Reply:
    """Queue 1..60 emails; invalid items count as failed."""
    items = wrapped_items(call, "emails", MAX_EMAILS)
    check_authors(call, items)
    return counts(run_batch(items, lambda item: queue(call.state, parse_email(item))))


ROUTES = (Route("POST", "/batch/emails", send_emails),)
