"""The outbox of an emulated site: emails accepted by `batch/emails`, paced as Bento sends."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import attrs

from ._core import JSONValue, StateCore

SEND_PACE_PER_MINUTE = 60  # Bento delivers 60 emails a minute, however many are queued


@attrs.frozen
class OutboxEmail:
    """An email accepted by `batch/emails`.

    `delivered` is False for a non-transactional email to an unsubscribed person (accepted,
    never sent); `send_at` is when the send pace lets it out (None when not delivered).
    """

    to: str
    from_: str
    subject: str
    html_body: str
    transactional: bool
    personalizations: Mapping[str, JSONValue]
    delivered: bool
    queued_at: datetime
    send_at: datetime | None


class OutboxState(StateCore):
    """The outbox and the send pace's next free slot (a mixin of EmulatorState)."""

    _outbox: list[OutboxEmail]
    _next_send_at: datetime | None

    def _reset(self) -> None:
        super()._reset()
        self._outbox = []
        self._next_send_at = None

    @property
    def outbox(self) -> list[OutboxEmail]:
        """Return the emails accepted by `batch/emails`, oldest first."""
        with self._lock:
            return list(self._outbox)

    def queue_email(
        self,
        *,
        to: str,
        from_: str,
        subject: str,
        html_body: str,
        transactional: bool = False,
        personalizations: Mapping[str, JSONValue] | None = None,
        delivered: bool = True,
    ) -> OutboxEmail:
        """Put an email in the outbox; a delivered one gets the next slot of the send pace."""
        with self._lock:
            now = self.clock()
            send_at = None
            if delivered:
                send_at = max(now, self._next_send_at or now)
                self._next_send_at = send_at + timedelta(minutes=1) / SEND_PACE_PER_MINUTE
            email = OutboxEmail(
                to,
                from_,
                subject,
                html_body,
                transactional,
                dict(personalizations or {}),
                delivered,
                now,
                send_at,
            )
            self._outbox.append(email)
            return email
