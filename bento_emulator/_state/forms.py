"""Form responses of an emulated site, as `fetch/responses` shows them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

import attrs

from ._core import JSONValue, StateCore


@attrs.frozen
class FormResponse:
    """One submission of the form `form_id`; `data` is what `fetch/responses` shows."""

    id: str
    uuid: str
    form_id: str
    data: Mapping[str, JSONValue]
    created_at: datetime


class FormState(StateCore):
    """Submissions of the site's forms, oldest first (a mixin of EmulatorState)."""

    _form_responses: list[FormResponse]

    def _reset(self) -> None:
        super()._reset()
        self._form_responses = []

    def add_form_response(
        self,
        form_id: str,
        *,
        email: str | None = None,
        fields: Mapping[str, JSONValue] | None = None,
        data: Mapping[str, JSONValue] | None = None,
    ) -> FormResponse:
        """Store a submission of `form_id`; `data` replaces the generated record."""
        with self._lock:
            now = self.clock()
            response_id = self._next_id("form_response")
            record = data or {
                "id": response_id,
                "type": "$form_submission",
                "date": now.isoformat().replace("+00:00", "Z"),
                "fields": dict(fields or {}),
                "details": {"form_id": form_id},
                "identity": {"email": email} if email else {},
                "ip": "127.0.0.1",
                "page": {"host": "example.com", "path": f"/forms/{form_id}", "protocol": "https"},
            }
            response = FormResponse(response_id, uuid.uuid4().hex, form_id, dict(record), now)
            self._form_responses.append(response)
            return response

    def form_responses(self, form_id: str) -> list[FormResponse]:
        """Return the responses to a form, oldest first."""
        with self._lock:
            return [r for r in self._form_responses if r.form_id == form_id]
