"""Form responses through the async client against the emulator."""

from __future__ import annotations

import pytest

from bento_async import (
    AsyncBento,
    ValidationError,
)
from bento_emulator import BentoEmulator

pytestmark = pytest.mark.anyio


async def test_form_responses(bento: AsyncBento, emulator: BentoEmulator) -> None:
    """Responses to one form come back with their data; another form's do not."""
    emulator.state.add_form_response("signup", email="a@example.com", fields={"plan": "pro"})
    emulator.state.add_form_response("other", email="b@example.com")
    [response] = await bento.forms.responses("signup")
    assert response.data.email == "a@example.com"
    assert response.data.fields == {"plan": "pro"}
    assert emulator.requests[-1].query["id"] == "signup"
    assert await bento.forms.responses("nothing-here") == []
    with pytest.raises(ValidationError):
        await bento.forms.responses(" ")
