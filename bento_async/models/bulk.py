"""Results of bulk work: chunked imports and fan-out lookups."""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

from .._errors import BentoError, ChunkCancelledError, InputIssue, NotSentError
from .subscribers import Subscriber

__all__ = ["BulkProgress", "BulkResult", "ChunkOutcome", "InvalidRecord", "Lookup"]

R = TypeVar("R")


@attrs.frozen
class BulkProgress:
    """How far a bulk call has got; passed to ``on_progress``. Every count only grows.

    ``sent`` counts records whose request left (in a dry run: records that would
    be sent), ``accepted`` and ``failed`` the records of answered chunks, ``invalid``
    the records rejected client-side. ``waiting`` is the seconds requests spent
    waiting for a rate-limit slot, summed over requests (concurrent waits add up).
    """

    sent: int = 0
    accepted: int = 0
    failed: int = 0
    invalid: int = 0
    waiting: float = 0.0


@attrs.frozen
class ChunkOutcome:
    """What became of one chunk: ``first`` is the input position of its first record.

    ``error`` is set when the request failed (after the client's retries), was
    cancelled, or was never sent (:class:`NotSentError`, or
    ``ChunkCancelledError(maybe_processed=False)``); all ``count`` records then count
    as failed. It is a BentoError, or whatever else was raised while sending or
    decoding this chunk (a hook's own error): never raised past the other chunks.
    Without an error, ``failed`` is what the API reported failed; those records
    cannot be told apart.
    """

    index: int
    first: int
    count: int
    accepted: int
    failed: int
    error: Exception | None = None

    @property
    def sent(self) -> bool:
        """Whether the chunk's request left (False: the API surely never saw it)."""
        if isinstance(self.error, NotSentError):
            return False
        return not (isinstance(self.error, ChunkCancelledError) and not self.error.maybe_processed)


@attrs.frozen
class InvalidRecord(Generic[R]):
    """A record rejected client-side, never sent: its input position and what is wrong."""

    position: int
    record: R
    issues: tuple[InputIssue, ...]


@attrs.frozen
class BulkResult(Generic[R]):
    """The outcome of a bulk call; ``accepted + failed + len(invalid) == total``.

    ``failed`` counts every record of a chunk whose request failed, was cancelled
    or was never sent, plus what the API reported failed inside answered chunks.
    ``failed_records`` holds, in input order, the caller's own records of those
    chunks: pass them to the same method to replay exactly those. Records the API
    itself reported failed inside an answered chunk cannot be identified (the API
    only gives a count). ``requests`` counts chunk requests that left (retries
    not included). ``fatal_error`` is the error that ended the run early (see
    :func:`bento_async._bulk.ends_run`); the chunks after it carry NotSentError.
    """

    accepted: int
    failed: int
    chunks: tuple[ChunkOutcome, ...]
    failed_records: tuple[R, ...]
    invalid: tuple[InvalidRecord[R], ...]
    requests: int
    cancelled: bool = False
    dry_run: bool = False
    fatal_error: BentoError | None = None

    @property
    def ok(self) -> bool:
        """Whether every record was valid, sent and accepted (or, in a dry run, would be sent)."""
        return not (self.failed or self.invalid or self.cancelled)

    @property
    def total(self) -> int:
        """The number of records read from the input."""
        return sum(chunk.count for chunk in self.chunks) + len(self.invalid)

    def __repr__(self) -> str:
        return (
            f"BulkResult(accepted={self.accepted}, failed={self.failed}, "
            f"invalid={len(self.invalid)}, requests={self.requests}, "
            f"cancelled={self.cancelled}, dry_run={self.dry_run}, "
            f"fatal_error={self.fatal_error!r})"
        )


@attrs.frozen
class Lookup:
    """The outcome of one lookup of a fan-out: ``index`` is the key's input position.

    Exactly one holds: the subscriber was found, it does not exist (both
    ``subscriber`` and ``error`` are None), or the lookup failed (``error``: a
    BentoError, or whatever else the lookup raised, kept here rather than raised).
    """

    index: int
    key: str
    subscriber: Subscriber | None
    error: Exception | None = None

    @property
    def found(self) -> bool:
        """Whether the subscriber exists."""
        return self.subscriber is not None
