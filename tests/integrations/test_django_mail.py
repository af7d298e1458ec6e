"""The Django email backend: django.core.mail delivering through the emulator's batch/emails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

django = pytest.importorskip("django")

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from bento_async import (  # noqa: E402
    AuthorNotAuthorizedError,
    ConfigError,
    RateLimits,
    ValidationError,
)
from bento_emulator import BentoEmulator  # noqa: E402
from bento_sync.contrib import django as backend_module  # noqa: E402

BACKEND = "bento_sync.contrib.django.EmailBackend"
AUTHOR = "jesse@example.com"
# Django 6.1 replaces EMAIL_BACKEND with MAILERS (and deprecates the old setting).
MAILER = (
    {"MAILERS": {"default": {"BACKEND": BACKEND}}}
    if django.VERSION >= (6, 1)
    else {"EMAIL_BACKEND": BACKEND}
)
Backend = backend_module.EmailBackend


@pytest.fixture(scope="module", autouse=True)
def django_settings() -> None:
    """Configure Django once, with the Bento backend and an author as the default sender."""
    if not settings.configured:
        settings.configure(DEFAULT_FROM_EMAIL=AUTHOR, **MAILER)
        django.setup()


@pytest.fixture
def emulator() -> Iterator[BentoEmulator]:
    """A threaded emulator without rate limits, its keys in the Django settings."""
    with BentoEmulator(rate_limits=None) as emu:
        creds = emu.credentials
        with override_settings(
            **MAILER,
            BENTO_PUBLISHABLE_KEY=creds["publishable_key"],
            BENTO_SECRET_KEY=creds["secret_key"],
            BENTO_SITE_UUID=creds["site_uuid"],
            BENTO_BASE_URL=creds["base_url"],
            BENTO_RATE_LIMITS=RateLimits.off(),
        ):
            yield emu
    with backend_module._clients_lock:
        clients = list(backend_module._clients.values())
        backend_module._clients.clear()
    for client in clients:
        client.close()


def _email_requests(emulator: BentoEmulator) -> list[int]:
    return [
        len(r.json["emails"])  # type: ignore[index, call-overload, arg-type]
        for r in emulator.requests
        if r.path.endswith("batch/emails")
    ]


def test_send_mail_wraps_plain_text_safely(emulator: BentoEmulator) -> None:
    """A plain-text message arrives HTML-escaped, braces included, as a transactional email."""
    sent = mail.send_mail("Hi", "Dear <b>you</b>,\n{{ secret }}", None, ["ann@example.com"])
    assert sent == 1
    [email] = emulator.state.outbox
    assert (email.to, email.from_, email.subject) == ("ann@example.com", AUTHOR, "Hi")
    assert "&lt;b&gt;you&lt;/b&gt;" in email.html_body
    assert "{{" not in email.html_body
    assert "&#123;&#123; secret &#125;&#125;" in email.html_body
    assert email.transactional


def test_html_alternative_and_every_recipient(emulator: BentoEmulator) -> None:
    """The HTML alternative is the html_body; to, cc and bcc each get their own email."""
    message = mail.EmailMultiAlternatives(
        "Report",
        "plain version",
        "Jesse <jesse@example.com>",
        ["a@example.com"],
        cc=["b@example.com"],
        bcc=["c@example.com"],
    )
    message.attach_alternative("<h1>Report</h1>", "text/html")
    assert message.send() == 1
    outbox = emulator.state.outbox
    assert sorted(e.to for e in outbox) == ["a@example.com", "b@example.com", "c@example.com"]
    assert {e.html_body for e in outbox} == {"<h1>Report</h1>"}
    assert {e.from_ for e in outbox} == {AUTHOR}
    assert _email_requests(emulator) == [3]


def test_send_messages_goes_60_per_request(emulator: BentoEmulator) -> None:
    """130 messages go out in requests of 60, 60 and 10; all count as accepted."""
    messages = [mail.EmailMessage(f"n{i}", "body", None, [f"u{i}@example.com"]) for i in range(130)]
    with Backend() as connection:
        assert connection.send_messages(messages) == 130
    assert _email_requests(emulator) == [60, 60, 10]
    assert len(emulator.state.outbox) == 130


def test_a_sender_that_is_not_an_author(emulator: BentoEmulator) -> None:
    """Bento's author check raises AuthorNotAuthorizedError, or counts 0 when silent."""
    with pytest.raises(AuthorNotAuthorizedError):
        mail.send_mail("Hi", "body", "stranger@example.com", ["ann@example.com"])
    assert _send_silently("Hi", "body", "stranger@example.com", ["ann@example.com"]) == 0
    message = mail.EmailMessage("Hi", "body", "stranger@example.com", ["ann@example.com"])
    assert Backend(fail_silently=True).send_messages([message]) == 0
    assert emulator.state.outbox == []


def _send_silently(*args: object) -> int:
    """send_mail with fail_silently, the way this Django takes it (a mailer option in 6.1)."""
    if django.VERSION < (6, 1):
        return int(mail.send_mail(*args, fail_silently=True))
    silent = {"default": {"BACKEND": BACKEND, "OPTIONS": {"fail_silently": True}}}
    with override_settings(MAILERS=silent):
        return int(mail.send_mail(*args))


def test_what_bento_cannot_carry_is_refused_before_sending(emulator: BentoEmulator) -> None:
    """Attachments, reply-to, headers and several senders raise ValidationError and nothing
    is sent; fail_silently skips only those messages."""
    good = mail.EmailMessage("ok", "body", None, ["a@example.com"])
    attached = mail.EmailMessage("file", "body", None, ["b@example.com"])
    attached.attach("report.csv", "a,b\n", "text/csv")
    replying = mail.EmailMessage("r", "body", None, ["c@example.com"], reply_to=["x@example.com"])
    headed = mail.EmailMessage("h", "body", None, ["d@example.com"], headers={"X-Tag": "1"})
    two_senders = mail.EmailMessage("s", "b", "jesse@example.com, a@example.com", ["e@example.com"])
    for bad, path in [
        (attached, "attachments"),
        (replying, "reply_to"),
        (headed, "headers"),
        (two_senders, "from_email"),
    ]:
        with pytest.raises(ValidationError) as info:
            Backend().send_messages([good, bad])
        assert [issue.path for issue in info.value.issues] == [path]
    assert emulator.state.outbox == []
    silent = Backend(fail_silently=True)
    assert silent.send_messages([good, attached, replying, headed, two_senders]) == 1
    assert [e.to for e in emulator.state.outbox] == ["a@example.com"]


def test_keys_from_the_environment(
    emulator: BentoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without BENTO_* Django settings the backend reads the BENTO_* environment."""
    creds = emulator.credentials
    for name, value in creds.items():
        monkeypatch.setenv(f"BENTO_{name.upper()}", value)
    with override_settings(
        BENTO_PUBLISHABLE_KEY=None, BENTO_SECRET_KEY=None, BENTO_SITE_UUID=None, BENTO_BASE_URL=None
    ):
        assert mail.send_mail("Hi", "body", None, ["env@example.com"]) == 1
    assert [e.to for e in emulator.state.outbox] == ["env@example.com"]


def test_transactional_setting_and_missing_keys(
    emulator: BentoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BENTO_EMAIL_TRANSACTIONAL=False sends marketing emails; no keys at all is a
    ConfigError when the backend is made."""
    with override_settings(BENTO_EMAIL_TRANSACTIONAL=False):
        assert mail.send_mail("Hi", "body", None, ["m@example.com"]) == 1
    assert [e.transactional for e in emulator.state.outbox] == [False]
    for name in ("PUBLISHABLE_KEY", "SECRET_KEY", "SITE_UUID"):
        monkeypatch.delenv(f"BENTO_{name}", raising=False)
    with (
        override_settings(BENTO_PUBLISHABLE_KEY=None, BENTO_SECRET_KEY=None, BENTO_SITE_UUID=None),
        pytest.raises(ConfigError, match="BENTO_SECRET_KEY"),
    ):
        Backend()


def test_a_message_to_many_spans_requests(emulator: BentoEmulator) -> None:
    """A message with 70 recipients goes out in two requests and counts once."""
    to = [f"r{i}@example.com" for i in range(70)]
    assert mail.send_mail("All", "body", None, to) == 1
    assert _email_requests(emulator) == [60, 10]


@given(st.lists(st.integers(1, 150), max_size=20), st.data())
def test_accepted_messages_counts_whole_messages(sizes: list[int], data: st.DataObject) -> None:
    """A message counts when every request carrying one of its emails was accepted."""
    requests = -(-sum(sizes) // 60)
    accepted = data.draw(st.lists(st.booleans(), min_size=requests, max_size=requests))
    emails = [i for i, size in enumerate(sizes) for _ in range(size)]
    chunks = [emails[k : k + 60] for k in range(0, len(emails), 60)]
    refused = {i for chunk, ok in zip(chunks, accepted, strict=True) if not ok for i in chunk}
    assert backend_module.accepted_messages(sizes, accepted) == len(sizes) - len(refused)
