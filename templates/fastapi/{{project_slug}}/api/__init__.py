"""The HTTP layer: one router per resource, assembled in `api.main`."""
