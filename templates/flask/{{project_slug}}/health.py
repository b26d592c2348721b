"""GET /health: is the app up, and can it reach its database?"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .api.errors import DATABASE_UNAVAILABLE
from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> tuple[Response, int]:
    """200 when the database answers, 503 (and why) when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        body = {"status": "error", "database": "error", "detail": DATABASE_UNAVAILABLE}
        return jsonify(body), 503
    return jsonify(status="ok", database="ok"), 200
