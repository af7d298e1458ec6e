"""Email templates of an emulated site: a broadcast's, a sequence step's, a workflow step's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from ._core import JSONValue, StateCore


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


class TemplateState(StateCore):
    """The site's email templates, by id (a mixin of EmulatorState)."""

    _templates: dict[str, EmailTemplate]

    def _reset(self) -> None:
        super()._reset()
        self._templates = {}

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
