"""Answers of Bento's experimental utilities (``experimental/*``).

Bento marks these endpoints experimental: their answers may change, which is
why every field but the essential one is optional and unknown keys land in
``extra``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._base import ApiObject
from ._frozen import EMPTY

__all__ = [
    "BlacklistResult",
    "EmailValidation",
    "GenderGuess",
    "Geolocation",
    "JessesRulesetResult",
    "ModerationResult",
]


@attrs.frozen
class EmailValidation(ApiObject):
    """Whether Bento thinks an address is real and safe to mail.

    Bento errs towards ``valid`` when its DNS checks cannot finish in time.
    """

    valid: bool
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class JessesRulesetResult(ApiObject):
    """The verdict of Jesse's (strict) ruleset, with a reason for every rule broken.

    ``valid`` is None when the answer leaves it out; ``passed`` then falls back
    to "no reasons".
    """

    valid: bool | None = None
    reasons: tuple[str, ...] = ()
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)

    @property
    def passed(self) -> bool:
        """Whether the address passed every rule."""
        return not self.reasons if self.valid is None else self.valid


@attrs.frozen
class GenderGuess(ApiObject):
    """A gender guessed from a first name; both values are None when Bento cannot tell."""

    gender: str | None = None
    confidence: float | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class Geolocation(ApiObject):
    """Where an IP address is, as far as Bento knows."""

    ip: str | None = None
    request: str | None = None
    country_code2: str | None = None
    country_code3: str | None = None
    country_name: str | None = None
    continent_code: str | None = None
    region_name: str | None = None
    real_region_name: str | None = None
    city_name: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    dma_code: str | int | None = None
    area_code: str | int | None = None
    timezone: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)


@attrs.frozen
class BlacklistResult(ApiObject):
    """Which blacklists list a domain or IP address: provider name to listed or not."""

    description: str | None = None
    query: str | None = None
    results: Mapping[str, bool] = attrs.field(default=EMPTY)
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)

    @property
    def listed(self) -> bool:
        """Whether any provider lists the query."""
        return any(self.results.values())

    @property
    def listed_on(self) -> tuple[str, ...]:
        """The providers that list the query, in the order Bento gave them."""
        return tuple(name for name, hit in self.results.items() if hit)


@attrs.frozen
class ModerationResult(ApiObject):
    """Whether content is safe to publish, the reasons when it is not, and a safe copy."""

    valid: bool
    reasons: tuple[str, ...] = ()
    safe_original_content: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False)
