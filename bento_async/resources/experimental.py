"""``bento.experimental``: email validation, spam rules, gender, geolocation, blacklists
and content moderation (``experimental/*``).

Bento may change or withdraw these endpoints at any time. None of them changes
anything, so every call is safe to retry. POST endpoints get their parameters
in the JSON body (as the Node SDK sends them); ``site_uuid`` stays in the query.
"""

from __future__ import annotations

from typing import Any

from .._errors import InputIssue
from .._http import Request
from .._validate import check_domain, check_email, check_flag, check_ip, check_text, raise_if
from ..models import (
    BlacklistResult,
    EmailValidation,
    GenderGuess,
    Geolocation,
    JessesRulesetResult,
    ModerationResult,
)
from ._base import ResourceBase, parse_object

__all__ = ["Experimental"]


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _parse_geolocation(payload: Any) -> Geolocation | None:
    if payload == {}:  # what Bento answers today: geolocation is switched off
        return None
    return parse_object(Geolocation)(payload)


class Experimental(ResourceBase):
    """Experimental utilities: ``validate_email``, ``jesses_ruleset``, ``guess_gender``,
    ``geolocate``, ``blacklist`` and ``moderate_content``."""

    async def validate_email(
        self,
        email: str,
        *,
        name: str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> EmailValidation:
        """Ask Bento whether an address looks real; ``name`` may sharpen the answer.

        Raises ValidationError for a malformed email or IP address, or a blank
        name or user agent.
        """
        issues: list[InputIssue] = []
        check_email(email, "email", issues)
        if name is not None:
            check_text(name, "name", issues, "name")
        if ip is not None:
            check_ip(ip, "ip", issues)
        if user_agent is not None:
            check_text(user_agent, "user_agent", issues, "user agent")
        raise_if(issues)
        body = _without_none({"email": email, "name": name, "ip": ip, "user_agent": user_agent})
        request = Request.build("POST", "experimental/validation", json_body=body)
        return await self._call(request, parse_object(EmailValidation))

    async def jesses_ruleset(
        self,
        email: str,
        *,
        block_free_providers: bool | None = None,
        wiggleroom: bool | None = None,
    ) -> JessesRulesetResult:
        """Check an address against Jesse's strict ruleset; each broken rule gives a reason.

        ``block_free_providers`` also refuses free mailboxes (Gmail...);
        ``wiggleroom`` relaxes a few of the most opinionated rules.

        Raises ValidationError for a malformed email or a flag that is not a bool.
        """
        issues: list[InputIssue] = []
        check_email(email, "email", issues)
        check_flag(block_free_providers, "block_free_providers", issues)
        check_flag(wiggleroom, "wiggleroom", issues)
        raise_if(issues)
        body = _without_none(
            {"email": email, "block_free_providers": block_free_providers, "wiggleroom": wiggleroom}
        )
        request = Request.build("POST", "experimental/jesses_ruleset", json_body=body)
        return await self._call(request, parse_object(JessesRulesetResult))

    async def guess_gender(self, name: str) -> GenderGuess:
        """Guess a gender from a first name (US census data, so biased).

        Raises ValidationError for a blank name.
        """
        issues: list[InputIssue] = []
        check_text(name, "name", issues, "name")
        raise_if(issues)
        request = Request.build("POST", "experimental/gender", json_body={"name": name})
        return await self._call(request, parse_object(GenderGuess))

    async def geolocate(self, ip: str) -> Geolocation | None:
        """Locate an IP address; None when Bento has no location (it answers ``{}`` today).

        Raises ValidationError for a malformed IP address.
        """
        issues: list[InputIssue] = []
        check_ip(ip, "ip", issues)
        raise_if(issues)
        request = Request.build("GET", "experimental/geolocation", params={"ip": ip})
        return await self._call(request, _parse_geolocation)

    async def blacklist(
        self, *, domain: str | None = None, ip: str | None = None
    ) -> BlacklistResult:
        """Look a domain or an IP address (exactly one) up on the blacklists Bento checks.

        Raises ValidationError for both or neither, or a malformed domain or IP.
        """
        issues: list[InputIssue] = []
        if (domain is None) == (ip is None):
            issues.append(InputIssue("", "give exactly one of domain or ip"))
        elif domain is not None:
            check_domain(domain, "domain", issues)
        else:
            check_ip(ip, "ip", issues)
        raise_if(issues)
        params = {"domain": domain} if domain is not None else {"ip": ip}
        request = Request.build("GET", "experimental/blacklist", params=params)
        return await self._call(request, parse_object(BlacklistResult))

    async def moderate_content(self, content: str) -> ModerationResult:
        """Check text for spam and abuse; the result carries reasons and a safe copy.

        Raises ValidationError for blank content.
        """
        issues: list[InputIssue] = []
        check_text(content, "content", issues, "content")
        raise_if(issues)
        request = Request.build(
            "POST", "experimental/content_moderation", json_body={"content": content}
        )
        return await self._call(request, parse_object(ModerationResult))
