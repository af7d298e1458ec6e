"""Experimental utilities: deterministic stubs of Bento's `experimental/*` endpoints.

Parameters are read from the JSON body or the query (clients send either). The tables the
stubs use live in `state.experimental` (see `ExperimentalStubs`):

- `POST validation`: `{"valid": bool}`; false for a malformed address, a disposable domain,
  or a `name` holding a link. A missing email gives 400; a malformed `ip` 400 `Invalid IP`;
- `POST jesses_ruleset`: `{"valid", "reasons"}`; reasons for a malformed address, a disposable
  domain, a free provider when `block_free_providers`, and (unless `wiggleroom`) a role
  account or a `+` alias. A missing email gives 400;
- `POST gender`: `{"gender", "confidence"}` from the first word of `name`; both null for a
  name not in the table. A missing name gives 400;
- `GET geolocation`: `{}` (as Bento answers today) unless `geolocation_enabled`, then the
  documented location object with `ip` and `request` set. No or a malformed `ip` gives 400
  `Invalid IP`;
- `GET blacklist` and `blacklist.json`: `{"description", "query", "results"}` with every
  provider false except those listing the query in `blacklisted`. Exactly one of `domain`
  and `ip` (alias `ip_address`), else 400; a malformed one gives 400;
- `POST content_moderation`: `{"valid", "reasons", "safe_original_content"}`; a reason per
  flagged word found, and `Link spam` past two links; the safe copy is HTML-escaped. Blank
  content gives `{"valid": false, "reasons": ["Content is required"]}`.
"""

from __future__ import annotations

import html
import ipaddress
import re

from .._state import JSONValue
from .._state.experimental import BLACKLIST_DESCRIPTION, BLACKLIST_PROVIDERS, MAX_LINKS
from ._common import Call, Reply, Route, bad_request, is_truthy, is_valid_email, param

_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]\.?")
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def _text(call: Call, name: str, label: str) -> str:
    value = param(call, name)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{label} is required")
    return value.strip()


def _ip(value: JSONValue) -> str:
    if not isinstance(value, str):
        raise bad_request("Invalid IP")
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise bad_request("Invalid IP") from None


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


def validation(call: Call) -> Reply:
    """Say whether an address looks deliverable."""
    email = _text(call, "email", "Email")
    ip = param(call, "ip")
    if ip is not None:
        _ip(ip)
    name = param(call, "name")
    valid = (
        is_valid_email(email)
        and _domain_of(email) not in call.state.experimental.disposable_domains
        and not (isinstance(name, str) and _LINK.search(name))
    )
    return Reply({"valid": bool(valid)})


def jesses_ruleset(call: Call) -> Reply:
    """Check an address against the strict ruleset and give a reason per broken rule."""
    email = _text(call, "email", "Email")
    stubs = call.state.experimental
    if not is_valid_email(email):
        return Reply({"valid": False, "reasons": ["Email is invalid"]})
    local, domain = email.rsplit("@", 1)[0].lower(), _domain_of(email)
    reasons = []
    if domain in stubs.disposable_domains:
        reasons.append("Email provider is disposable")
    if is_truthy(param(call, "block_free_providers")) and domain in stubs.free_providers:
        reasons.append("Email provider is free")
    if not is_truthy(param(call, "wiggleroom")):
        if local.split("+", 1)[0] in stubs.role_accounts:
            reasons.append("Email is a role account")
        if "+" in local:
            reasons.append("Email uses a plus alias")
    return Reply({"valid": not reasons, "reasons": reasons})


def gender(call: Call) -> Reply:
    """Guess a gender from the first word of a name."""
    first = _text(call, "name", "Name").split()[0].lower()
    found = call.state.experimental.genders.get(first)
    if found is None:
        return Reply({"gender": None, "confidence": None})
    return Reply({"gender": found[0], "confidence": found[1]})


def geolocation(call: Call) -> Reply:
    """Locate an IP address: `{}` unless geolocation is switched on."""
    ip = _ip(param(call, "ip"))
    stubs = call.state.experimental
    if not stubs.geolocation_enabled:
        return Reply({})
    return Reply({**stubs.location, "ip": ip, "request": ip})


def _blacklist_query(call: Call) -> str:
    domain = param(call, "domain")
    ip = param(call, "ip") if param(call, "ip") is not None else param(call, "ip_address")
    if (domain is None) == (ip is None):
        raise bad_request("Give exactly one of domain and ip")
    if ip is not None:
        return _ip(ip)
    if not isinstance(domain, str) or not _DOMAIN.fullmatch(_ascii_domain(domain)):
        raise bad_request("Invalid domain")
    return domain.strip().lower()


def _ascii_domain(domain: str) -> str:
    """Return a domain in lower-case IDNA form (`bücher.de` is `xn--bcher-kva.de`)."""
    try:
        return domain.strip().lower().encode("idna").decode("ascii")
    except UnicodeError:
        return ""


def blacklist(call: Call) -> Reply:
    """Look a domain or IP up on the blacklists; only seeded entries are listed."""
    query = _blacklist_query(call)
    listed_on = call.state.experimental.blacklisted.get(query.lower(), ())
    results = {provider: provider in listed_on for provider in BLACKLIST_PROVIDERS}
    return Reply({"description": BLACKLIST_DESCRIPTION, "query": query, "results": results})


def content_moderation(call: Call) -> Reply:
    """Flag configured words and link spam; blank content is refused in the answer itself."""
    content = param(call, "content")
    if not isinstance(content, str) or not content.strip():
        return Reply({"valid": False, "reasons": ["Content is required"]})
    lowered = content.lower()
    reasons = [
        reason
        for word, reason in call.state.experimental.flagged_words.items()
        if re.search(rf"\b{re.escape(word)}\b", lowered)
    ]
    if len(_LINK.findall(content)) > MAX_LINKS:
        reasons.append("Link spam")
    return Reply(
        {"valid": not reasons, "reasons": reasons, "safe_original_content": html.escape(content)}
    )


ROUTES = (
    Route("POST", "/experimental/validation", validation),
    Route("POST", "/experimental/jesses_ruleset", jesses_ruleset),
    Route("POST", "/experimental/gender", gender),
    Route("GET", "/experimental/geolocation", geolocation),
    Route("GET", "/experimental/blacklist", blacklist),
    Route("GET", "/experimental/blacklist.json", blacklist),
    Route("POST", "/experimental/content_moderation", content_moderation),
)
