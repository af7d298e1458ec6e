"""The tables behind the emulator's deterministic `experimental/*` answers.

Reached as `emulator.state.experimental`; a test changes them to get the answer it needs
(see `_handlers/experimental` for how each endpoint uses them). `reset()` restores the
defaults below.
"""

from __future__ import annotations

from typing import Any

import attrs

DISPOSABLE_DOMAINS = frozenset(
    {"mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com", "trashmail.com"}
)
FREE_PROVIDERS = frozenset(
    {"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com"}
)
ROLE_ACCOUNTS = frozenset({"admin", "info", "support", "sales", "noreply", "no-reply"})
GENDERS: dict[str, tuple[str, float]] = {
    "jesse": ("male", 0.62),
    "john": ("male", 0.99),
    "james": ("male", 0.99),
    "david": ("male", 0.99),
    "jane": ("female", 0.99),
    "mary": ("female", 0.99),
    "emma": ("female", 0.98),
    "sarah": ("female", 0.99),
    "alex": ("male", 0.55),
}
FLAGGED_WORDS: dict[str, str] = {
    "viagra": "Spam",
    "casino": "Gambling",
    "crypto giveaway": "Scam",
}
BLACKLIST_PROVIDERS = ("just_registered", "spamhaus", "nordspam", "spfbl", "sorbs", "abusix")
BLACKLIST_DESCRIPTION = (
    "If any of the following blacklist providers contains true you have a problem on your hand."
)
MAX_LINKS = 2


def documented_location() -> dict[str, Any]:
    """Return the location object the OpenAPI file documents (Mountain View, for any IP)."""
    return {
        "country_code2": "US",
        "country_code3": "USA",
        "country_name": "United States",
        "continent_code": "NA",
        "region_name": "CA",
        "real_region_name": "California",
        "city_name": "Mountain View",
        "postal_code": "94043",
        "latitude": 37.4056,
        "longitude": -122.0775,
        "dma_code": 807,
        "area_code": 650,
        "timezone": "America/Los_Angeles",
    }


@attrs.define(eq=False)
class ExperimentalStubs:
    """Switches and tables for the experimental endpoints; mutate them freely in a test.

    - `disposable_domains`: validation says invalid, Jesse's ruleset gives a reason;
    - `free_providers`: refused by Jesse's ruleset with `block_free_providers`;
    - `role_accounts`: local parts Jesse's ruleset refuses unless `wiggleroom`;
    - `genders`: first name (lower case) to `(gender, confidence)`;
    - `geolocation_enabled` and `location`: off, `{}` is answered as Bento does today;
    - `blacklisted`: query (domain or IP, lower case) to the providers that list it;
    - `flagged_words`: word or phrase (lower case) to the moderation reason it gives.
    """

    disposable_domains: set[str] = attrs.field(factory=lambda: set(DISPOSABLE_DOMAINS))
    free_providers: set[str] = attrs.field(factory=lambda: set(FREE_PROVIDERS))
    role_accounts: set[str] = attrs.field(factory=lambda: set(ROLE_ACCOUNTS))
    genders: dict[str, tuple[str, float]] = attrs.field(factory=lambda: dict(GENDERS))
    geolocation_enabled: bool = False
    location: dict[str, Any] = attrs.field(factory=documented_location)
    blacklisted: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    flagged_words: dict[str, str] = attrs.field(factory=lambda: dict(FLAGGED_WORDS))

    def reset(self) -> None:
        """Restore every table and switch to its default."""
        defaults = ExperimentalStubs()
        for field in attrs.fields(ExperimentalStubs):
            setattr(self, field.name, getattr(defaults, field.name))

    def add_to_blacklist(self, query: str, *providers: str) -> None:
        """List a domain or IP on the given providers (`spamhaus` when none is given).

        Raises ValueError for a provider Bento does not report.
        """
        unknown = set(providers) - set(BLACKLIST_PROVIDERS)
        if unknown:
            raise ValueError(f"unknown blacklist providers: {sorted(unknown)}")
        self.blacklisted[query.lower()] = providers or ("spamhaus",)
