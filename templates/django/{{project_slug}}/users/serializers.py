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
