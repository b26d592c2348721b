"""Server-rendered pages: home, login and logout (Flask-Login sessions), API docs."""

from __future__ import annotations

import gzip
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from . import services
from .forms import LoginForm, LogoutForm

bp = Blueprint("pages", __name__)

# ReDoc's standalone bundle (MIT, see static/redoc/LICENSE), shipped pre-compressed: a
# third of the size in the repository and on the wire.
REDOC_BUNDLE = Path(__file__).resolve().parent / "static" / "redoc" / "redoc.standalone.js.gz"

# Swagger UI files served from the flask-swagger-ui package's copy of Swagger UI 5, which
# reads the OpenAPI 3.1 of /openapi.json (no CDN).
SWAGGER_UI_DIST = Path(str(files("flask_swagger_ui") / "dist"))
SWAGGER_UI_ASSETS = frozenset(
    {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "favicon-16x16.png",
        "favicon-32x32.png",
    }
)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: `?next=https://evil.example` must not redirect away."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("pages.home")
    parts = urlsplit(target)
    return url_for("pages.home") if parts.scheme or parts.netloc else target


@bp.get("/")
def home() -> str:
    return render_template("pages/home.html")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.user_authenticate(
            email=form.email.data or "", password=form.password.data or ""
        )
        if user is not None:
            login_user(user, remember=bool(form.remember.data))
            flash("You are signed in.", "success")
            return redirect(_safe_next(request.args.get("next")))
        flash("Incorrect email or password.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template("pages/login.html", form=form), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if not LogoutForm().validate_on_submit():
        abort(400, description="The form has expired: reload the page and try again")
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("pages.home"))


@bp.get("/docs")
def swagger_ui() -> str:
    return render_template("docs/swagger.html")


@bp.get("/redoc")
def redoc() -> str:
    return render_template("docs/redoc.html")


@bp.get("/docs/assets/<name>")
def swagger_ui_asset(name: str) -> Response:
    if name not in SWAGGER_UI_ASSETS:
        abort(404)
    return send_from_directory(str(SWAGGER_UI_DIST), name, max_age=3600)


@cache
def _redoc_bundle() -> bytes:
    return REDOC_BUNDLE.read_bytes()


@bp.get("/docs/assets/redoc.standalone.js")
def redoc_asset() -> Response:
    """The ReDoc bundle, gzip-encoded for clients that accept it (all browsers do)."""
    compressed = _redoc_bundle()
    gzip_ok = request.accept_encodings.quality("gzip") > 0
    response = Response(
        compressed if gzip_ok else gzip.decompress(compressed),
        mimetype="text/javascript",
    )
    if gzip_ok:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/favicon.ico")
def favicon() -> Response:
    static_folder = current_app.static_folder or "static"
    return send_from_directory(static_folder, "favicon.svg", mimetype="image/svg+xml")
