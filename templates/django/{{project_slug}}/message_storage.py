"""The pages' one-time messages ("Your password has been changed"), built only when used."""

from functools import cached_property
from typing import Any

from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.fallback import FallbackStorage


class MessageStorage(FallbackStorage):
    """Django's default storage (a signed cookie, then the session), its two parts made lazily.

    MessageMiddleware makes a storage for every request, and FallbackStorage makes its cookie
    part at once, with a signer built from the settings: about 2 % of an API request under
    py-spy, for requests that never read nor add a message. Here the parts are made the
    first time a message is read or stored; what they do is unchanged.
    """

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        # BaseStorage's setup only: FallbackStorage.__init__ would build the parts now.
        BaseStorage.__init__(self, request, *args, **kwargs)
        self._parts_args = (request, *args)
        self._parts_kwargs = kwargs
        self._used_storages: set[BaseStorage] = set()

    @cached_property
    def storages(self) -> list[BaseStorage]:
        """The cookie storage, then the session storage (FallbackStorage.storage_classes)."""
        return [
            storage_class(*self._parts_args, **self._parts_kwargs)
            for storage_class in self.storage_classes
        ]
