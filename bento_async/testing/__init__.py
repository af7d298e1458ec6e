"""Moved: the emulator lives in :mod:`bento_emulator`; this name re-exports it.

``from bento_async.testing import BentoEmulator`` keeps working without a warning, so code
written against 0.1 runs unchanged. New code imports from ``bento_emulator``.
"""

from bento_emulator import *  # noqa: F403
from bento_emulator import __all__ as __all__
