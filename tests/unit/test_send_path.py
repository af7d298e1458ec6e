"""Property tests of the whole send path (limiter, retries, cooldown, deadline) on a virtual clock.

AsyncBento runs on the public test seam, a MockTransport answering from a script, on a
virtual-time loop, so a run that would take hours of backoff and cooldowns is checked
exactly, in milliseconds.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ratelimit import max_in_window
from virtual_time import run_virtual

from bento_async import (
    AsyncBento,
    BentoError,
    ConnectError,
    Hooks,
    MockTransport,
    RateLimit,
    RateLimitError,
    RateLimits,
    RateLimitWaitError,
    Request,
    Response,
    RetryEvent,
    RetryPolicy,
    ServerError,
)

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@attrs.frozen
class Answer:
    """What the scripted server does with one request."""

    kind: str  # "ok", "status", "timeout" (stall past any timeout), "reset", "refused"
    latency: float = 0.01
    status: int = 200
    retry_after: str | None = None


@attrs.define
class Sent:
    """One request the transport received."""

    at: float
    method: str
    path: str
    answer: Answer
    outcome: str  # what the client saw: the answer's kind, or "timeout"


STALL = 1e9  # seconds: longer than any timeout


class Script:
    """A MockTransport handler answering requests from a script (then with 200)."""

    def __init__(self, script: list[Answer]) -> None:
        self.script = list(script)
        self.sent: list[Sent] = []

    async def __call__(self, request: Request) -> Response:
        loop = asyncio.get_running_loop()
        answer = self.script.pop(0) if self.script else Answer("ok")
        sent = Sent(loop.time(), request.method, request.path, answer, answer.kind)
        self.sent.append(sent)
        method, path = request.method, request.path
        if answer.kind == "refused":
            raise ConnectError("refused", maybe_processed=False, method=method, path=path)
        try:
            await asyncio.sleep(STALL if answer.kind == "timeout" else answer.latency)
        except asyncio.CancelledError:
            sent.outcome = "timeout"  # the transport gave up at the call's timeout
            raise
        if answer.kind == "reset":
            raise ConnectError("connection reset", method=method, path=path)
        if answer.kind == "status":
            headers = {"retry-after": answer.retry_after} if answer.retry_after else {}
            body = json.dumps({"error": f"status {answer.status}"}).encode()
            return Response(answer.status, headers, body)
        return Response.from_json({"data": [], "results": 1, "failed": 0})


answers = st.one_of(
    st.builds(Answer, st.just("ok"), st.floats(0, 2)),
    st.builds(
        Answer,
        st.just("status"),
        st.floats(0, 2),
        st.sampled_from([429, 500, 502, 503]),
        st.none() | st.sampled_from(["0", "1", "2.5", "30", "600", "-1", "soon", "nan"]),
    ),
    st.builds(Answer, st.sampled_from(["timeout", "reset", "refused"]), st.floats(0, 1)),
)
policies = st.builds(
    RetryPolicy,
    attempts=st.integers(1, 6),
    backoff_initial=st.floats(0.05, 1.0),
    backoff_max=st.floats(1.0, 10.0),
    max_retry_after=st.floats(0.5, 60.0),
    deadline=st.none() | st.floats(0.5, 60.0),
    retry_unsafe=st.booleans(),
)


def client(server: Script, **options: Any) -> AsyncBento:
    """An AsyncBento whose requests the scripted server answers."""
    transport = MockTransport(server)
    return AsyncBento(
        publishable_key="pk", secret_key="sk", site_uuid="site", transport=transport, **options
    )


def ambiguous(sent: Sent) -> bool:
    """Whether the server may have done the work although the client saw a failure."""
    return sent.outcome in ("timeout", "reset") or (
        sent.outcome == "status" and sent.answer.status >= 500
    )


@PROPERTY
@given(st.lists(answers, max_size=8), policies, st.booleans(), st.floats(0.5, 10.0))
def test_one_call_keeps_every_promise(
    script: list[Answer], policy: RetryPolicy, unsafe: bool, timeout: float
) -> None:
    """One call: within its deadline, within its attempts, never repeats an unsafe request
    after an ambiguous failure unless told to, and its error says how it ended."""
    server = Script(script)

    async def main() -> tuple[object, float]:
        loop = asyncio.get_running_loop()
        bento = client(server, retry=policy, timeout=timeout, rate_limits=RateLimits.off())
        start = loop.time()
        try:
            if unsafe:
                result: object = await bento.events.track("a@example.com", "signed_up")
            else:
                result = await bento.tags.list()
        except BentoError as exc:
            result = exc
        return result, loop.time() - start

    result, elapsed = run_virtual(main)
    sent = server.sent
    assert 1 <= len(sent) <= policy.attempts
    if policy.deadline is not None:
        assert elapsed <= policy.deadline + 0.01
    for earlier in sent[:-1]:  # every answer but the last led to a retry
        assert earlier.outcome != "ok"
        if unsafe and not policy.retry_unsafe:
            assert not ambiguous(earlier)
    if isinstance(result, BentoError):
        assert getattr(result, "attempts", len(sent)) == len(sent)
        seen = [
            float(a.answer.retry_after)
            for a in sent
            if a.outcome == "status" and a.answer.retry_after not in (None, "soon", "nan")
        ]
        expected = max(seen[-1], 0.0) if seen else None
        assert getattr(result, "retry_after", expected) == expected
    else:
        assert sent[-1].outcome == "ok"


@PROPERTY
@given(
    st.lists(answers, max_size=40),
    st.integers(2, 30),
    st.floats(1.0, 60.0),
    st.integers(1, 40),
)
def test_many_callers_never_exceed_the_quota_retries_included(
    script: list[Answer], limit: int, period: float, callers: int
) -> None:
    """Concurrent calls with faults and retries: every attempt takes a slot, so no window of
    the period ever holds more sends than the limit; and no send starts while a 429 holds
    its family, except a call's own first request already under way."""
    quota = RateLimit(limit, period)
    server = Script(script)
    policy = RetryPolicy(attempts=4, backoff_initial=0.1, backoff_max=2.0, max_retry_after=5.0)
    outcomes: list[object] = []

    async def main() -> None:
        bento = client(
            server,
            retry=policy,
            timeout=3.0,
            rate_limits=RateLimits.profile("seed", fetch=quota),
        )

        async def call() -> None:
            try:
                outcomes.append(await bento.tags.list())
            except BentoError as exc:
                outcomes.append(exc)

        await asyncio.gather(*(call() for _ in range(callers)))

    run_virtual(main)
    assert len(outcomes) == callers
    times = [s.at for s in server.sent]
    assert max_in_window(times, period, closed=True) <= limit
    # A 429 answered at time t with cooldown d: nobody sends in (t, t + d).
    for i, s in enumerate(server.sent):
        if s.outcome == "status" and s.answer.status == 429:
            answered = s.at + s.answer.latency
            ra = s.answer.retry_after
            if ra in ("0", None, "soon", "nan", "-1"):
                continue  # backoff with jitter: only a lower bound is known
            hold = min(float(ra), policy.max_retry_after) - 1e-6
            later = [o.at for o in server.sent[i + 1 :] if answered < o.at < answered + hold]
            assert later == []


def test_parked_callers_do_not_stampede_after_a_429() -> None:
    """Twenty callers hit a 429 with Retry-After 1: after the cooldown exactly one probe is
    sent, and the others go only when its answer is in."""
    server = Script([Answer("status", 0.1, 429, "1")])
    retries: list[RetryEvent] = []

    async def main() -> None:
        bento = client(server, rate_limits=RateLimits.off(), hooks=Hooks(on_retry=retries.append))
        first = asyncio.create_task(bento.tags.list())
        await asyncio.sleep(0.5)  # the others come during the cooldown
        await asyncio.gather(first, *(bento.tags.list() for _ in range(19)))

    run_virtual(main)
    times = [s.at for s in server.sent]
    # The 429 arrives at 0.1 and holds the family until 1.1; the probe goes then and
    # answers at 1.11, when the other 19 follow.
    assert times == [pytest.approx(t, abs=1e-4) for t in [0.0, 1.1] + [1.11] * 19]
    assert len(retries) == 1
    assert retries[0].delay == 1.0


def test_deadline_refuses_a_cooldown_it_cannot_outlast() -> None:
    """A 429 asking for longer than the deadline leaves gives up at once, carrying the
    Retry-After, instead of sleeping into the deadline."""
    server = Script([Answer("status", 0.0, 429, "30")])
    policy = RetryPolicy(deadline=10)

    async def main() -> tuple[RateLimitError, float]:
        loop = asyncio.get_running_loop()
        bento = client(server, retry=policy, rate_limits=RateLimits.off())
        with pytest.raises(RateLimitError) as info:
            await bento.tags.list()
        return info.value, loop.time()

    error, when = run_virtual(main)
    assert when < 0.01
    assert error.retry_after == 30
    assert error.attempts == 1


def test_rate_limit_wait_error_counts_attempts_and_retry_after() -> None:
    """A retry that would wait past max_wait for the cooldown raises RateLimitWaitError
    saying how many requests went out and what Retry-After the API gave."""
    server = Script([Answer("status", 0.0, 429, "20")])

    async def main() -> RateLimitWaitError:
        bento = client(server, rate_limits=RateLimits.off()).with_options(max_wait=5)
        with pytest.raises(RateLimitWaitError) as info:
            await bento.tags.list()
        return info.value

    error = run_virtual(main)
    assert (error.attempts, error.retry_after, error.family) == (1, 20.0, "fetch")
    assert "after 1 attempts" in str(error)


def test_server_error_after_a_429_carries_its_retry_after() -> None:
    """The final error of a call keeps the last Retry-After an earlier attempt got."""
    server = Script([Answer("status", 0.0, 429, "2"), Answer("status", 0.0, 503)])

    async def main() -> ServerError:
        bento = client(server, retry=RetryPolicy(attempts=2), rate_limits=RateLimits.off())
        with pytest.raises(ServerError) as info:
            await bento.tags.list()
        return info.value

    error = run_virtual(main)
    assert (error.status, error.attempts, error.retry_after) == (503, 2, 2.0)


def test_callers_waiting_for_slots_do_not_send_during_a_cooldown() -> None:
    """Callers already queued for slots when a 429 arrives wait out the cooldown too; the
    first slot after it goes to one probe, and nobody else sends until the probe answers."""
    server = Script([Answer("status", 0.05, 429, "2")])

    async def main() -> None:
        bento = client(server, rate_limits=RateLimits.profile("seed", fetch=RateLimit(10, 1)))
        await asyncio.gather(*(bento.tags.list() for _ in range(6)))

    run_virtual(main)
    times = [s.at for s in server.sent]
    # One slot per 1/9 s; the 429 at 0.05 holds the family until 2.05.
    assert times[0] == pytest.approx(0.0, abs=1e-6)
    assert not [t for t in times if 0.05 < t < 2.05]
    probe = times[1]
    assert probe >= 2.05
    assert not [t for t in times[2:] if t < probe + 0.01]  # the probe's answer comes first
    assert len(times) == 7


def test_slot_wait_is_bounded_by_the_deadline() -> None:
    """A call whose next slot lies past its deadline fails at once with RateLimitWaitError,
    instead of waiting for the slot and then running out of time."""
    server = Script([])
    quota = RateLimit(2, 60, burst=1)

    async def main() -> tuple[RateLimitWaitError, float]:
        loop = asyncio.get_running_loop()
        bento = client(
            server,
            retry=RetryPolicy(deadline=5),
            rate_limits=RateLimits.profile("seed", fetch=quota),
        )
        await bento.tags.list()
        start = loop.time()
        with pytest.raises(RateLimitWaitError) as info:
            await bento.tags.list()
        return info.value, loop.time() - start

    error, waited = run_virtual(main)
    assert waited < 1e-6
    assert error.allowed == pytest.approx(5, abs=0.02)
    assert error.needed == pytest.approx(60 * (1 + 1e-9), abs=0.1)
    assert error.attempts == 0
    assert len(server.sent) == 1
