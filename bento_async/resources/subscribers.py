"""``bento.subscribers``: find, find-or-create, import, and look up many at once."""

from __future__ import annotations

import asyncio
import operator
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    Sequence,
)
from datetime import timedelta
from typing import Any

import attrs

from .._bulk import BulkSpec, check_input, run_bulk
from .._errors import (
    InputIssue,
    NotVisibleError,
    RateLimitWaitError,
    UndeliveredError,
    ValidationError,
)
from .._fanout import collect_lookups, stream_lookups
from .._http import Request, encode_body, encode_fast
from .._validate import all_valid_emails, check_email, check_flat_fields, raise_if
from ..models import CommandResult, Subscriber
from ..models.bulk import BulkProgress, BulkResult, Lookup
from ..models.commands import Command
from ._base import ResourceBase, parse_batch_result, parse_item, parse_optional_item
from ._upsert import poll_gaps, shows, tag_names, wait_seconds
from .commands import MAX_COMMANDS, check_command, commands_request, parse_command_result

__all__ = [
    "EncodedRecords",
    "Subscribers",
    "import_batch",
    "import_body",
    "import_record",
    "update_commands",
]

MAX_IMPORT = 1000
_TAG_KEYS = ("tags", "remove_tags")
_RESHAPED_KEYS = frozenset({*_TAG_KEYS, "fields"})  # keys import_record rewrites
_email_of = operator.itemgetter("email")
_parse_found = parse_optional_item(Subscriber)  # made once: get() is the hottest call


def _hold_callers_key(found: Subscriber, email: str | None, uuid: object) -> None:
    """Make a subscriber ``get`` has just built hold the caller's own key string in
    place of the equal one decoded from the reply.

    A kept result then costs one string less (an email is about 70 bytes), and in
    ``get_many`` the lookup's ``key`` and its subscriber's ``email`` (or ``uuid``) are
    one object. Only an exact ``str`` is taken: a subclass would change the field's
    type. The model is frozen to its users; nobody else holds it yet.
    """
    if email is not None:
        if type(email) is str and found.email == email:
            object.__setattr__(found, "email", email)
    elif type(uuid) is str and found.uuid == uuid:
        object.__setattr__(found, "uuid", uuid)


def _tag_list(value: object, path: str, issues: list[InputIssue]) -> str | None:
    if isinstance(value, str):
        names = value.split(",")
    elif isinstance(value, (list, tuple, set, frozenset)):
        if not all(isinstance(name, str) and "," not in name for name in value):
            issues.append(InputIssue(path, "tag names must be strings without commas"))
            return None
        names = list(value)
    else:
        issues.append(InputIssue(path, "tags must be a comma-separated string or a list"))
        return None
    return ",".join(name.strip() for name in names if name.strip())


def import_record(record: object, path: str, issues: list[InputIssue]) -> dict[str, Any] | None:
    """Check one import record and return it in the flat wire form.

    ``tags`` and ``remove_tags`` may be lists (sent as comma strings); a nested
    ``fields`` mapping is flattened into the record.
    """
    if not isinstance(record, Mapping):
        issues.append(InputIssue(path, f"expected a mapping, got {type(record).__name__}"))
        return None
    before = len(issues)
    check_email(record.get("email"), f"{path}.email", issues)
    out: dict[str, Any] = {"email": record.get("email")}
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if key == "email":
            continue
        if key in _TAG_KEYS:
            if value is not None:
                out[key] = _tag_list(value, f"{path}.{key}", issues)
        elif key == "fields" and isinstance(value, Mapping):
            flat.update(value)
        else:
            flat[key] = value
    check_flat_fields(flat, path, issues)
    out.update(flat)
    return out if len(issues) == before else None


@attrs.frozen
class EncodedRecords:
    """Import records checked and encoded together: their JSON objects, comma-separated."""

    json: bytes
    count: int


def import_batch(records: list[Any]) -> list[EncodedRecords] | None:
    """Check a batch of import records at once and encode them for the request.

    Covers the common shape: dicts with a valid email, no ``tags``,
    ``remove_tags`` or ``fields``, and flat JSON values, which import_record
    would send as they are. Returns None when any record may be otherwise, or
    orjson cannot encode it (an integer past 64 bits): check those one by one.
    Encoding is the value check (it rejects what JSON cannot carry, NaN
    included), one ``{`` per record proves no value holds an object, and the
    bytes are reused for the request: this is what lets an import near the pace
    of raw posting (see benchmarks/bench_import.py).
    """
    if set(map(type, records)) != {dict}:
        return None
    keys = set().union(*records)
    if "email" not in keys or not keys.isdisjoint(_RESHAPED_KEYS):
        return None
    if not all(isinstance(key, str) and key.strip() for key in keys):
        return None
    try:
        if not all_valid_emails(list(map(_email_of, records))):
            return None
        encoded = encode_fast(records)
    except (KeyError, TypeError, ValidationError):  # no email, a non-string one, not JSON
        return None
    if encoded is None or encoded.count(b"{") != len(records):
        return None
    return [EncodedRecords(encoded[1:-1], len(records))]


def import_body(wire: Iterable[Mapping[str, Any] | EncodedRecords]) -> bytes:
    """Return the ``batch/subscribers`` body for checked records, encoded or not.

    Raises ValidationError for a value JSON cannot carry.
    """
    parts = [item.json if isinstance(item, EncodedRecords) else encode_body(item) for item in wire]
    return b'{"subscribers":[' + b",".join(parts) + b"]}"


def _names(value: object, path: str, issues: list[InputIssue]) -> list[Any]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        issues.append(InputIssue(path, "give a list of names"))
        return []
    return list(value)


def update_commands(
    email: str,
    fields: Mapping[str, Any] | None,
    remove_fields: Iterable[str],
    tags: Iterable[str],
    remove_tags: Iterable[str],
) -> list[Command]:
    """Check one subscriber's changes and return them as commands, fields first.

    Raises ValidationError for a malformed email, no change, more than 100, or a bad
    key, value or tag name (each reported at its argument's path).
    """
    issues: list[InputIssue] = []
    check_email(email, "email", issues)
    raise_if(issues)
    if fields is not None and not isinstance(fields, Mapping):
        issues.append(InputIssue("fields", "give a mapping of field keys to values"))
        fields = None
    changes = [(f"fields.{k}", Command.add_field(email, k, v)) for k, v in (fields or {}).items()]
    for arg, given, make in (
        ("remove_fields", remove_fields, Command.remove_field),
        ("tags", tags, Command.add_tag),
        ("remove_tags", remove_tags, Command.remove_tag),
    ):
        names = _names(given, arg, issues)
        changes += [(f"{arg}[{i}]", make(email, name)) for i, name in enumerate(names)]
    if not changes and not issues:
        issues.append(InputIssue("", "give fields, remove_fields, tags or remove_tags"))
    if len(changes) > MAX_COMMANDS:
        issues.append(InputIssue("", f"at most {MAX_COMMANDS} changes in one update"))
    for path, command in changes:
        check_command(command, path, issues)
    raise_if(issues)
    return [command for _, command in changes]


class Subscribers(ResourceBase):
    """Subscribers: ``get``, ``create``, ``update``, ``upsert``, ``import_many``,
    ``get_many`` and ``stream_many``."""

    async def get(self, *, email: str | None = None, uuid: str | None = None) -> Subscriber | None:
        """Find a subscriber by email or uuid (exactly one); None when there is none.

        Raises ValidationError for both or neither argument, or a malformed email.
        """
        issues: list[InputIssue] = []
        if (email is None) == (uuid is None):
            issues.append(InputIssue("", "give exactly one of email or uuid"))
        elif email is not None:
            check_email(email, "email", issues)
        elif not isinstance(uuid, str) or not uuid.strip():
            issues.append(InputIssue("uuid", "uuid must be a non-empty string"))
        raise_if(issues)
        # Built directly (what Request.build would make): get() is the hottest call.
        key = ("email", email) if email is not None else ("uuid", str(uuid))
        request = Request("GET", "fetch/subscribers", "fetch", (key,))
        found = await self._call(request, _parse_found)
        if found is not None:
            _hold_callers_key(found, email, uuid)
        return found

    async def create(self, email: str) -> Subscriber:
        """Find the subscriber with this email, or create one. Does not fire automations
        of its own, but Bento may start "new subscriber" flows.

        Raises ValidationError for a malformed email.
        """
        issues: list[InputIssue] = []
        check_email(email, "email", issues)
        raise_if(issues)
        request = Request.build(
            "POST", "fetch/subscribers", json_body={"subscriber": {"email": email}}
        )
        return await self._call(request, parse_item(Subscriber))

    async def update(
        self,
        email: str,
        *,
        fields: Mapping[str, Any] | None = None,
        remove_fields: Iterable[str] = (),
        tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
    ) -> CommandResult:
        """Set and remove fields and tags of one subscriber in one request, applied at once.

        Sends one ``fetch/commands`` call with a command per change (at most 100): it
        creates the subscriber if missing and fires no automations (``events.track`` with
        ``$update_fields`` does). Unlike an import it is not queued. The result counts
        the changes Bento applied and those it refused.

        Raises ValidationError for a malformed email, no change, more than 100, or a bad
        key, value or tag name.
        """
        commands = update_commands(email, fields, remove_fields, tags, remove_tags)
        return await self._call(commands_request(commands), parse_command_result)

    async def upsert(
        self,
        email: str,
        *,
        fields: Mapping[str, Any] | None = None,
        tags: str | Sequence[str] = (),
        remove_tags: str | Sequence[str] = (),
        wait: bool | float | timedelta = False,
    ) -> Subscriber | None:
        """Import (upsert) one subscriber; with ``wait``, return it once Bento shows it.

        Bento queues imports: ``fetch/subscribers`` shows them 1 to 5 minutes later.
        Without ``wait`` this returns None once the import is accepted. With ``wait``
        (True: 5 minutes, or seconds) it polls ``fetch/subscribers`` (each poll takes a
        fetch slot; the pause doubles from 0.25 s to 15 s) until the subscriber has these
        fields and tags and none of ``remove_tags``, and returns it. No automations fire.

        Raises ValidationError for bad input, UndeliveredError when Bento counts the
        import as failed, NotVisibleError when ``wait`` runs out (the import was queued
        and may still appear), and what any call raises.
        """
        issues: list[InputIssue] = []
        record: dict[str, Any] = {"email": email, "fields": fields or {}}
        if tags:
            record["tags"] = tags
        if remove_tags:
            record["remove_tags"] = remove_tags
        wire = import_record(record, "subscriber", issues)
        wait_for = wait_seconds(wait, issues)
        raise_if(issues)
        assert wire is not None
        request = attrs.evolve(Request.build("POST", "batch/subscribers"), body=import_body([wire]))
        result = await self._call(request, parse_batch_result)
        if result.failed or not result.results:
            raise UndeliveredError(f"Bento did not accept the import of {email}", rejected=1)
        if wait_for is None:
            return None
        return await self._until_visible(
            email, fields or {}, tag_names(tags), tag_names(remove_tags), wait_for
        )

    async def _until_visible(
        self,
        email: str,
        fields: Mapping[str, Any],
        tags: Sequence[str],
        remove_tags: Sequence[str],
        wait: float,
    ) -> Subscriber:
        """Poll until the subscriber shows the import. Raises NotVisibleError past ``wait``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        for gap in poll_gaps():
            left = deadline - loop.time()
            try:
                found = await self._client.with_options(max_wait=max(left, 0.001)).subscribers.get(
                    email=email
                )
            except RateLimitWaitError:
                raise NotVisibleError(email, wait) from None
            if found is not None:
                names = await self._client.tags.names_for(found) if tags or remove_tags else ()
                if shows(found, names, fields, tags, remove_tags):
                    return found
            left = deadline - loop.time()
            if left <= 0:
                break
            await asyncio.sleep(min(gap, left))
        raise NotVisibleError(email, wait)

    async def import_many(
        self,
        records: Iterable[Mapping[str, Any]] | AsyncIterable[Mapping[str, Any]],
        *,
        chunk_size: int = MAX_IMPORT,
        concurrency: int = 4,
        on_progress: Callable[[BulkProgress], None] | None = None,
        dry_run: bool = False,
    ) -> BulkResult[Mapping[str, Any]]:
        """Import (upsert) any number of subscribers, in chunks; no automations fire.

        Each record has ``email`` plus any fields, and optionally ``tags`` and
        ``remove_tags`` (a list or a comma-separated string). Records are read
        lazily; ``concurrency`` chunks at most are in flight. A bad record is
        skipped and reported in ``invalid``; a chunk whose request fails is
        reported and its records kept in ``failed_records``. ``dry_run`` checks
        everything and sends nothing. Bento queues imports; they become visible
        within minutes.

        Raises ValidationError for a bad ``chunk_size`` or ``concurrency``, and
        BulkCancelledError (carrying the partial result) when cancelled.
        """
        return await run_bulk(
            self._import_spec(),
            records,
            chunk_size=chunk_size,
            concurrency=concurrency,
            on_progress=on_progress,
            dry_run=dry_run,
        )

    def _import_spec(self) -> BulkSpec[Mapping[str, Any] | EncodedRecords]:
        async def send(wire: list[Mapping[str, Any] | EncodedRecords]) -> tuple[int, int]:
            request = attrs.evolve(
                Request.build("POST", "batch/subscribers"), body=import_body(wire)
            )
            result = await self._call(request, parse_batch_result)
            return result.results, result.failed

        return BulkSpec("subscribers", MAX_IMPORT, import_record, send, import_batch)

    async def get_many(
        self,
        emails: Iterable[str] | AsyncIterable[str] | None = None,
        *,
        uuids: Iterable[str] | AsyncIterable[str] | None = None,
        concurrency: int = 32,
    ) -> list[Lookup]:
        """Look up many subscribers by email or by uuid (exactly one); one Lookup per key,
        in input order.

        Each Lookup holds the subscriber, None when there is none, or the error
        of that lookup alone. Lookups share the client's rate limits and retries;
        at most ``concurrency`` are in flight.

        Raises ValidationError for both or neither argument, a single string, or
        a bad ``concurrency``.
        """
        keys, fetch = self._lookups(emails, uuids, concurrency)
        return await collect_lookups(keys, fetch, concurrency=concurrency)

    def stream_many(
        self,
        emails: Iterable[str] | AsyncIterable[str] | None = None,
        *,
        uuids: Iterable[str] | AsyncIterable[str] | None = None,
        concurrency: int = 32,
    ) -> AsyncIterator[Lookup]:
        """Look up many subscribers, yielding each Lookup as it completes (see get_many).

        Keys are read only as lookups finish, so the input may be endless.
        Close the iterator (``contextlib.aclosing``) to stop early: the lookups in
        flight are cancelled.

        Raises ValidationError, on the call, as get_many does.
        """
        keys, fetch = self._lookups(emails, uuids, concurrency)
        return stream_lookups(keys, fetch, concurrency=concurrency)

    def _lookups(
        self,
        emails: Iterable[str] | AsyncIterable[str] | None,
        uuids: Iterable[str] | AsyncIterable[str] | None,
        concurrency: int,
    ) -> tuple[Iterable[str] | AsyncIterable[str], Callable[[str], Awaitable[Subscriber | None]]]:
        """Check the arguments of a fan-out; return its keys and the lookup of one key."""
        issues: list[InputIssue] = []
        if (emails is None) == (uuids is None):
            issues.append(InputIssue("", "give exactly one of emails or uuids"))
        elif emails is not None:
            check_input(emails, "emails", issues)
        else:
            check_input(uuids, "uuids", issues)
        if not isinstance(concurrency, int) or concurrency < 1:
            issues.append(InputIssue("concurrency", "must be at least 1"))
        raise_if(issues)
        if emails is not None:
            return emails, lambda key: self.get(email=key)
        assert uuids is not None
        return uuids, lambda key: self.get(uuid=key)
