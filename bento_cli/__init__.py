"""The ``bento`` command line. Its libraries come with the ``cli`` extra."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Run the ``bento`` command (exits the process with its status)."""
    try:
        from ._commands import cli
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        missing = exc.name or "click"
        print(
            f"bento: the command line needs {missing}; install it with "
            "pip install 'bento-sdk[cli]'",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    cli.main(args=argv, prog_name="bento")
