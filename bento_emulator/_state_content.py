"""Campaign content of an emulated site: email templates, broadcasts, sequences, workflows,
and the outbox of `batch/emails`.

`ContentState` is a mixin of `EmulatorState`, which provides the lock, the clock and the id
sequences. The `add_*` methods seed fixtures (tests call them through `emulator.state`);
the handlers use the same methods.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

JSONValue = Any  # what json.loads returns

SEND_PACE_PER_MINUTE = 60  # Bento delivers 60 emails a minute, however many are queued


@attrs.frozen
class EmailTemplate:
    """An email: a broadcast's, a sequence step's or a workflow step's.

    `options` holds a sequence email's extra settings (`delay_interval`, `inbox_snippet`...).
    """

    id: str
    name: str
    subject: str
    html: str
    created_at: datetime
    stats: Mapping[str, JSONValue] | None = None
    options: Mapping[str, JSONValue] = attrs.field(factory=dict)


@attrs.frozen
class Broadcast:
    """A broadcast; those created through the API start as drafts."""

    id: str
    name: str
    subject: str
    content: str
    type: str
    status: str
    from_email: str
    from_name: str | None
    batch_size_per_hour: int
    template_id: str
    created_at: datetime
    inclusive_tags: str | None = None
    exclusive_tags: str | None = None
    segment_id: str | None = None
    send_at: datetime | None = None
    approved: bool = False
    stats: Mapping[str, JSONValue] | None = None


@attrs.frozen
class EmailSequence:
    """A sequence and the ids of its email templates, in order."""

    id: str
    name: str
    prefix_id: str
    created_at: datetime
    template_ids: tuple[str, ...] = ()


@attrs.frozen
class Workflow:
    """A workflow (automation) and the ids of its email templates."""

    id: str
    name: str
    status: str
    created_at: datetime
    template_ids: tuple[str, ...] = ()


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


class ContentState:
    """Templates, broadcasts, sequences, workflows and the outbox (a mixin of EmulatorState)."""

    _lock: threading.RLock
    clock: Callable[[], datetime]
    _templates: dict[str, EmailTemplate]
    _broadcasts: dict[str, Broadcast]
    _sequences: dict[str, EmailSequence]
    _workflows: dict[str, Workflow]
    _outbox: list[OutboxEmail]
    _next_send_at: datetime | None

    def _next_id(self, kind: str) -> str:
        raise NotImplementedError  # provided by EmulatorState

    def _reset_content(self) -> None:
        with self._lock:
            self._templates = {}
            self._broadcasts = {}
            self._sequences = {}
            self._workflows = {}
            self._outbox = []
            self._next_send_at = None

    # -- email templates -----------------------------------------------------------------

    @property
    def email_templates(self) -> list[EmailTemplate]:
        """Return every email template, in creation order."""
        with self._lock:
            return list(self._templates.values())

    def email_template_by_id(self, template_id: str) -> EmailTemplate | None:
        """Return the template with this id, or None."""
        with self._lock:
            return self._templates.get(template_id)

    def add_email_template(
        self,
        *,
        subject: str,
        html: str = "<p>Hello {{ visitor.first_name }}</p>",
        name: str | None = None,
        stats: Mapping[str, JSONValue] | None = None,
        options: Mapping[str, JSONValue] | None = None,
    ) -> EmailTemplate:
        """Store a new email template (named after its subject unless given a name)."""
        with self._lock:
            template = EmailTemplate(
                self._next_id("template"),
                name or subject,
                subject,
                html,
                self.clock(),
                stats,
                dict(options or {}),
            )
            self._templates[template.id] = template
            return template

    def update_email_template(
        self, template_id: str, *, subject: str | None = None, html: str | None = None
    ) -> EmailTemplate | None:
        """Change a template's subject and/or html; None when the id is unknown."""
        with self._lock:
            found = self._templates.get(template_id)
            if found is None:
                return None
            updated = attrs.evolve(
                found,
                subject=found.subject if subject is None else subject,
                html=found.html if html is None else html,
            )
            self._templates[template_id] = updated
            return updated

    # -- broadcasts ----------------------------------------------------------------------

    @property
    def broadcasts(self) -> list[Broadcast]:
        """Return every broadcast, in creation order."""
        with self._lock:
            return list(self._broadcasts.values())

    def add_broadcast(
        self,
        name: str,
        *,
        subject: str | None = None,
        content: str = "<p>Hello</p>",
        status: str = "sent",
        type: str = "plain",
        from_email: str = "jesse@example.com",
        from_name: str | None = None,
        batch_size_per_hour: int = 1000,
        **optional: JSONValue,
    ) -> Broadcast:
        """Store a broadcast and its template; `optional` sets the other Broadcast fields
        (`inclusive_tags`, `segment_id`, `send_at`, `approved`, `stats`, `created_at`)."""
        with self._lock:
            template = self.add_email_template(subject=subject or name, html=content, name=name)
            fields = {"created_at": self.clock(), **optional}
            broadcast = Broadcast(
                id=self._next_id("broadcast"),
                name=name,
                subject=subject or name,
                content=content,
                type=type,
                status=status,
                from_email=from_email,
                from_name=from_name,
                batch_size_per_hour=batch_size_per_hour,
                template_id=template.id,
                **fields,
            )
            self._broadcasts[broadcast.id] = broadcast
            return broadcast

    # -- sequences and workflows ---------------------------------------------------------

    @property
    def sequences(self) -> list[EmailSequence]:
        """Return every sequence, in creation order."""
        with self._lock:
            return list(self._sequences.values())

    def sequence_by_ref(self, ref: str) -> EmailSequence | None:
        """Return the sequence whose id or prefix id is `ref`, or None."""
        with self._lock:
            found = self._sequences.get(ref)
            if found is None:
                found = next((s for s in self._sequences.values() if s.prefix_id == ref), None)
            return found

    def add_sequence(self, name: str, *, emails: Iterable[str] = ()) -> EmailSequence:
        """Store a sequence with one template per subject in `emails`."""
        with self._lock:
            templates = tuple(self.add_email_template(subject=s).id for s in emails)
            sequence = EmailSequence(
                self._next_id("sequence"),
                name,
                f"sequence_{uuid.uuid4().hex[:12]}",
                self.clock(),
                templates,
            )
            self._sequences[sequence.id] = sequence
            return sequence

    def add_sequence_email(
        self,
        ref: str,
        *,
        subject: str,
        html: str,
        options: Mapping[str, JSONValue] | None = None,
    ) -> EmailTemplate | None:
        """Append an email to the sequence `ref` (id or prefix id); None when unknown."""
        with self._lock:
            sequence = self.sequence_by_ref(ref)
            if sequence is None:
                return None
            template = self.add_email_template(subject=subject, html=html, options=options)
            ids = (*sequence.template_ids, template.id)
            self._sequences[sequence.id] = attrs.evolve(sequence, template_ids=ids)
            return template

    @property
    def workflows(self) -> list[Workflow]:
        """Return every workflow, in creation order."""
        with self._lock:
            return list(self._workflows.values())

    def add_workflow(
        self, name: str, *, status: str = "live", emails: Iterable[str] = ()
    ) -> Workflow:
        """Store a workflow with one template per subject in `emails`."""
        with self._lock:
            templates = tuple(self.add_email_template(subject=s).id for s in emails)
            workflow = Workflow(self._next_id("workflow"), name, status, self.clock(), templates)
            self._workflows[workflow.id] = workflow
            return workflow

    # -- outbox --------------------------------------------------------------------------

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
