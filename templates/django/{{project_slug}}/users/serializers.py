"""Input and output serializers of the accounts API."""

from typing import Any

from rest_framework import serializers

from ..api.fields import StrictCharField, StrictEmailField
from .models import User


class RegisterInputSerializer(serializers.Serializer[Any]):
    email = StrictEmailField(max_length=254)
    password = StrictCharField(min_length=8, max_length=128, trim_whitespace=False)


class TokenInputSerializer(serializers.Serializer[Any]):
    username = StrictCharField(max_length=254, help_text="The account's email address")
    password = StrictCharField(max_length=128, trim_whitespace=False)


class TokenOutputSerializer(serializers.Serializer[Any]):
    access_token = serializers.CharField()
    token_type = serializers.CharField()


class UserOutputSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ("id", "email")


class PasswordResetInputSerializer(serializers.Serializer[Any]):
    email = StrictEmailField(max_length=254)


class PasswordResetConfirmInputSerializer(serializers.Serializer[Any]):
    token = StrictCharField(
        min_length=1, max_length=200, trim_whitespace=False, help_text="The token from the link"
    )
    password = StrictCharField(min_length=8, max_length=128, trim_whitespace=False)


class PasswordChangeInputSerializer(serializers.Serializer[Any]):
    current_password = StrictCharField(min_length=1, max_length=128, trim_whitespace=False)
    new_password = StrictCharField(min_length=8, max_length=128, trim_whitespace=False)


class DetailOutputSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
