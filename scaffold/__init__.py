"""scaffold: choose a Python web framework for the right reasons and generate a starter."""

__version__ = "0.12.0"
