"""Error reporting to Sentry (or a service that speaks its protocol), when SENTRY_DSN is set.

Without SENTRY_DSN nothing is imported or sent. With it, unhandled errors and every log
record at ERROR (the database's 503 among them) become events, tagged with the environment
and the release (`<package>@<version>`). No personal data: no client addresses, cookies,
Authorization headers, request bodies or local variables leave the process.
"""

from importlib.metadata import PackageNotFoundError, version

from .config import Settings

DISTRIBUTION = __package__.replace("_", "-")


def release() -> str:
    """`<package>@<installed version>`."""
    try:
        installed = version(DISTRIBUTION)
    except PackageNotFoundError:  # pragma: no cover - the project is always installed
        installed = "0+unknown"
    return f"{__package__}@{installed}"


def init_error_reporting(settings: Settings) -> bool:
    """Start the Sentry SDK when SENTRY_DSN is set; True when it was started."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk  # only now: without a DSN the SDK is never loaded

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.sentry_env,
        release=release(),
        traces_sample_rate=settings.sentry_traces_sample_rate,
        max_request_body_size="never",
        include_local_variables=False,
    )
    return True
