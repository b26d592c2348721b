"""Read-only queries about users."""

from .models import User, normalize_email


def user_get_active(*, user_id: int) -> User | None:
    """The active user with this id, or None."""
    # `get`, not `filter().first()`: first() sorts by the key, which costs Django a bigger
    # query to build on every authenticated request, for one row at most.
    try:
        return User.objects.get(pk=user_id, is_active=True)
    except User.DoesNotExist:
        return None


def user_email_taken(*, email: str) -> bool:
    """Whether an account already uses this email (case-insensitive)."""
    return User.objects.filter(email__iexact=normalize_email(email)).exists()
