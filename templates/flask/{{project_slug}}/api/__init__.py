"""The JSON API: one flask-smorest blueprint per feature, assembled in `register_api`."""

from __future__ import annotations

from flask import Flask

from ..extensions import api
from .auth import blp as auth_blp
from .items import blp as items_blp
from .users import blp as users_blp


def register_api(app: Flask) -> None:
    """Initialise flask-smorest on `app` and mount the API blueprints under /api."""
    api.init_app(app)
    api.spec.components.security_scheme(
        "OAuth2PasswordBearer",
        {
            "type": "oauth2",
            "description": "POST email + password to /api/auth/token, then send "
            "`Authorization: Bearer <access_token>`.",
            "flows": {"password": {"tokenUrl": "/api/auth/token", "scopes": {}}},
        },
    )
    for blueprint in (auth_blp, users_blp, items_blp):
        api.register_blueprint(blueprint)
