"""The HTTP API layer shared by the apps: authentication, errors, strict fields, base views."""
