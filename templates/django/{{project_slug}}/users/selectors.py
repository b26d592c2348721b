"""Read-only queries about users."""

from .models import User, normalize_email

# The user of every authenticated request, in SQL written once: the ORM would build and
# compile `User.objects.get(pk=..., is_active=True)` anew on each request (Django has no
# statement cache), which cost more than running it. Table and column names come from the
# model, values are parameters; `raw()` still makes the row a User with Django's converters.
_ACTIVE_USER_SQL = 'SELECT * FROM "{table}" WHERE "{pk}" = %s AND "{active}"'.format(  # noqa: S608
    table=User._meta.db_table,
    pk=User._meta.pk.column,
    active=User._meta.get_field("is_active").column,
)


def user_get_active(*, user_id: int) -> User | None:
    """The active user with this id, or None."""
    return next(iter(User.objects.raw(_ACTIVE_USER_SQL, [user_id])), None)


def user_email_taken(*, email: str) -> bool:
    """Whether an account already uses this email (case-insensitive)."""
    return User.objects.filter(email__iexact=normalize_email(email)).exists()
