"""Liveness and database check."""

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..schemas import HealthStatus
from .deps import SessionDep

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthStatus,
    response_model_exclude_none=True,
    responses={503: {"model": HealthStatus, "description": "The database cannot be reached"}},
)
async def health(session: SessionDep) -> HealthStatus | JSONResponse:
    """Run `SELECT 1` on the database: 200 when it answers, 503 when it does not."""
    try:
        await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        body = HealthStatus(status="error", database="error", detail="Database unavailable")
        return JSONResponse(body.model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    return HealthStatus(status="ok", database="ok")
