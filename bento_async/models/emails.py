"""Emails sent one by one through ``batch/emails`` (transactional or not)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["Email"]


@attrs.frozen
class Email:
    """One email to send with ``bento.emails.send_batch``.

    ``from_`` must be an author of the Bento account. ``subject`` and ``html_body`` may
    use Liquid; ``personalizations`` fills it. A non-transactional email (the default)
    is not delivered to an unsubscribed address; a transactional one is.
    """

    to: str
    from_: str
    subject: str
    html_body: str
    transactional: bool = False
    personalizations: Mapping[str, Any] | None = None

    def to_wire(self) -> dict[str, Any]:
        """Return the JSON object sent to the API (``from_`` becomes ``from``)."""
        wire: dict[str, Any] = {
            "to": self.to,
            "from": self.from_,
            "subject": self.subject,
            "html_body": self.html_body,
            "transactional": self.transactional,
        }
        if self.personalizations is not None:
            wire["personalizations"] = dict(self.personalizations)
        return wire
