"""TLS settings: what ``ssl=`` takes, turned into what aiohttp takes."""

from __future__ import annotations

import os
import ssl as ssl_module
import warnings
from pathlib import Path

from ._errors import ConfigError

__all__ = ["InsecureTLSWarning", "tls_setting"]


class InsecureTLSWarning(UserWarning):
    """TLS certificate verification was switched off with ``ssl=False``."""


def tls_setting(
    value: ssl_module.SSLContext | str | os.PathLike[str] | bool | None,
) -> ssl_module.SSLContext | bool:
    """Return what aiohttp takes for ``ssl=``: True (verify against the system CAs) or a context.

    A path names a CA bundle (PEM) to verify the server against. False switches
    verification off (a context that verifies nothing), with an InsecureTLSWarning.

    Raises ConfigError for a CA bundle that cannot be read or another type.
    """
    if value is None or value is True:
        return True
    if value is False:
        warnings.warn(
            "ssl=False: the server's TLS certificate is NOT verified; anyone on the network "
            "path can read and change requests, keys included. Use it only for local tests.",
            InsecureTLSWarning,
            stacklevel=3,
        )
        unverified = ssl_module.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl_module.CERT_NONE
        return unverified
    if isinstance(value, ssl_module.SSLContext):
        return value
    if isinstance(value, (str, os.PathLike)):
        path = Path(value)
        try:
            return ssl_module.create_default_context(cafile=str(path))
        except (OSError, ssl_module.SSLError) as exc:
            raise ConfigError(f"ssl: cannot load the CA bundle {str(path)!r}: {exc}") from None
    raise ConfigError(f"ssl must be an SSLContext, a CA bundle path or a bool, got {value!r}")
