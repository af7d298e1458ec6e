"""Email sequences of an emulated site: named, ordered lists of email templates."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from ._core import JSONValue
from .email_templates import EmailTemplate, TemplateState


@attrs.frozen
class EmailSequence:
    """A sequence and the ids of its email templates, in order."""

    id: str
    name: str
    prefix_id: str
    created_at: datetime
    template_ids: tuple[str, ...] = ()


class SequenceState(TemplateState):
    """The site's sequences, by id or prefix id (a mixin of EmulatorState)."""

    _sequences: dict[str, EmailSequence]

    def _reset(self) -> None:
        super()._reset()
        self._sequences = {}

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
