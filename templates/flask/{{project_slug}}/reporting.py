"""Error reporting to Sentry (or any server that speaks its protocol) when SENTRY_DSN is set.

Without a DSN nothing is loaded: `sentry_sdk` is imported only when it is needed. With
one, the SDK's integrations (enabled because their libraries are installed: Flask, and
Celery in a project with background jobs) report unhandled errors, and its logging
integration sends every ERROR line that carries an exception (the database's 503
included). No personal data: no cookies, headers, bodies, IP addresses or user details.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .config import PACKAGE


def release() -> str:
    """`<package>@<installed version>`: the release that events are filed under."""
    try:
        installed = version(PACKAGE)
    except PackageNotFoundError:
        installed = "unknown"
    return f"{PACKAGE}@{installed}"


def init_error_reporting(*, dsn: str, environment: str, traces_sample_rate: float) -> bool:
    """Start the Sentry SDK when `dsn` is set; True when it was started."""
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release(),
        traces_sample_rate=traces_sample_rate,
        # Local variables and request bodies can hold passwords and tokens: never sent.
        max_request_body_size="never",
        include_local_variables=False,
    )
    return True
