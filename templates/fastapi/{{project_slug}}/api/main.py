"""Assemble the API routers under `/api`."""

from fastapi import APIRouter

from . import auth, items, users

api_router = APIRouter(prefix="/api")
api_router.include_router(auth.router)
api_router.include_router(users.router)
api_router.include_router(items.router)
