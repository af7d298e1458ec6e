"""Ctrl-C during `bento import` (the real console script): a clean stop that says what was sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bento_emulator import BentoEmulator

BENTO = Path(sys.executable).with_name("bento")


def _interrupt_import(
    emulator: BentoEmulator, tmp_path: Path, *, concurrency: int
) -> tuple[subprocess.Popen[str], str, str]:
    """Import 400 rows in chunks of 10 with seed limits; SIGINT once 150 are on the server."""
    source = tmp_path / "contacts.csv"
    source.write_text("email\n" + "".join(f"user{i}@example.com\n" for i in range(400)))
    env = {**os.environ, **{f"BENTO_{k.upper()}": v for k, v in emulator.credentials.items()}}
    args = ["--chunk-size", "10", "--concurrency", str(concurrency)]
    proc = subprocess.Popen(
        [str(BENTO), "import", "subscribers", str(source), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while len(emulator.state.subscribers) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    return proc, out, err


def test_ctrl_c_stops_the_import_and_keeps_the_unsent_rows(
    threaded_emulator: BentoEmulator, tmp_path: Path
) -> None:
    """Stopped while waiting for the rate limit: exit 130, a report, unsent rows saved."""
    # The seed profile lets 15 batch requests go at once, then one every 7.4 s: with chunks
    # of 10 the import sends 150 records and then waits, which is when Ctrl-C comes.
    proc, out, err = _interrupt_import(threaded_emulator, tmp_path, concurrency=1)
    assert proc.returncode == 130, err
    assert len(threaded_emulator.state.subscribers) == 150
    last = err.strip().splitlines()[-1]
    assert last.startswith("bento: interrupted: 150 records accepted before stopping")
    read_up_to = int(last.rsplit("nothing after line ", 1)[1].split()[0].replace(",", ""))
    assert f"contacts.csv: after {read_up_to - 1} records, 150 accepted" in out
    saved = (tmp_path / "contacts.failed.csv").read_text().splitlines()[1:]
    expected = [f"user{i}@example.com" for i in range(150, read_up_to - 1)]
    assert saved == expected


def test_ctrl_c_stops_a_lookup_and_keeps_the_results_so_far(
    threaded_emulator: BentoEmulator, tmp_path: Path
) -> None:
    """Stopped while waiting for the fetch limit: exit 130, the results at hand are written."""
    source = tmp_path / "emails.txt"
    source.write_text("".join(f"user{i}@example.com\n" for i in range(300)))
    creds = threaded_emulator.credentials
    env = {**os.environ, **{f"BENTO_{k.upper()}": v for k, v in creds.items()}}
    # The seed profile lets 108 fetches go at once, then one a second.
    proc = subprocess.Popen(
        [str(BENTO), "lookup", str(source), "--concurrency", "4"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while len(threaded_emulator.requests) < 108 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    rows = out.splitlines()[1:]
    assert len(rows) >= 108
    assert rows[0].startswith("1,user0@example.com,not_found")
    assert err.strip().splitlines()[-1] == (
        f"bento: interrupted: {len(rows)} addresses looked up before stopping; "
        "their results were written"
    )


def test_ctrl_c_reports_chunks_waiting_for_a_slot_as_not_sent(
    threaded_emulator: BentoEmulator, tmp_path: Path
) -> None:
    """Four chunks in flight are all waiting for a rate-limit slot when SIGINT comes: they
    are reported not sent (none in doubt), and the server holds none of their records."""
    # Seed limits: 15 batch requests at once, then one every 7.4 s. With 4 in flight, the
    # 16th to 19th chunks wait for a slot; that is when Ctrl-C comes.
    proc, _, err = _interrupt_import(threaded_emulator, tmp_path, concurrency=4)
    assert proc.returncode == 130, err
    assert len(threaded_emulator.requests) == 15
    on_server = {s.email for s in threaded_emulator.state.subscribers}
    assert on_server == {f"user{i}@example.com" for i in range(150)}
    last = err.strip().splitlines()[-1]
    read_up_to = int(last.rsplit("nothing after line ", 1)[1].split()[0].replace(",", ""))
    unsent = read_up_to - 1 - 150
    assert unsent >= 40  # the four chunks waiting for a slot, at least
    assert last.startswith(
        f"bento: interrupted: 150 records accepted before stopping (not imported: {unsent} not "
        "sent, 0 in flight that Bento may have processed, 0 failed, 0 invalid)"
    )
    assert "may have processed them" not in err
    assert f"{unsent} records on lines 152-{read_up_to} not sent (interrupted)" in err
    saved = (tmp_path / "contacts.failed.csv").read_text().splitlines()[1:]
    assert saved == [f"user{i}@example.com" for i in range(150, read_up_to - 1)]
    assert not on_server & set(saved)
