"""The custom user model: the email address is the login, there is no username."""

import hashlib
import hmac
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


def normalize_email(email: str) -> str:
    """Emails are compared and stored stripped and lower-cased."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    """Create users and superusers from an email address and a password."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser needs is_staff=True and is_superuser=True")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        # Used by the login form, the token endpoint and createsuperuser: case-insensitive.
        return self.get(email=normalize_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """A user who logs in with an email address."""

    email = models.EmailField("email address", max_length=254, unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Whether the user can log into the admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def password_fingerprint(self) -> str:
        """A keyed digest of the stored password hash: it changes with every new password.

        Access tokens carry its first 16 characters and reset tokens store it whole, so a
        password set by any path (reset, change, admin, createsuperuser) makes them stale.
        """
        return hmac.new(
            settings.SECRET_KEY.encode(), self.password.encode(), hashlib.sha256
        ).hexdigest()


class PasswordResetToken(models.Model):
    """One reset link sent by email. Only the sha256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reset_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    # The user's password fingerprint when the link was made: a newer password voids it.
    password_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "password_reset_tokens"

    def __str__(self) -> str:
        return f"reset token of user {self.user_id} ({self.created_at:%Y-%m-%d %H:%M})"


class LoginFailure(models.Model):
    """A failed login for one email from one client address (see ``throttle``)."""

    email = models.CharField(max_length=320)
    client_address = models.CharField(max_length=45)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "login_failures"
        indexes = (
            models.Index(
                fields=("email", "client_address", "created_at"), name="login_failure_key"
            ),
        )

    def __str__(self) -> str:
        return f"failed login for {self.email} from {self.client_address}"
