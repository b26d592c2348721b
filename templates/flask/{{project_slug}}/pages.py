"""Server-rendered pages: home, login and logout (Flask-Login sessions), forgotten and
changed passwords, API docs."""

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
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import ValidationError

from . import services, throttle
from .api.schemas import PasswordResetRequestSchema
from .forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutForm,
    ResetPasswordForm,
)

bp = Blueprint("pages", __name__)

RESET_SENT = (
    "If an account uses this email, a link to reset its password is on its way. "
    "It expires in {minutes} minutes."
)
INVALID_RESET_LINK = "This reset link is invalid or has expired."
TOO_MANY_FAILURES = "Too many failed login attempts; try again later."

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
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        # The same throttle as the API's token endpoint: one count for both doors.
        email, client = form.email.data or "", request.remote_addr
        retry_after = throttle.login_retry_after(email=email, client=client)
        if retry_after is not None:
            flash(TOO_MANY_FAILURES, "error")
            headers = {"Retry-After": str(retry_after)}
            return render_template("pages/login.html", form=form), 429, headers
        user = services.user_authenticate(email=email, password=form.password.data or "")
        if user is not None:
            throttle.login_succeeded(email=email, client=client)
            login_user(user, remember=bool(form.remember.data))
            flash("You are signed in.", "success")
            return redirect(_safe_next(request.args.get("next")))
        throttle.login_failed(email=email, client=client)
        flash("Incorrect email or password.", "error")
    return render_template("pages/login.html", form=form), status


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            data = PasswordResetRequestSchema().load({"email": form.email.data or ""})
        except ValidationError:
            form.email.errors = ["Enter a valid email address."]
        else:
            services.password_reset_request(email=data["email"])
            minutes = current_app.config["PASSWORD_RESET_EXPIRE_MINUTES"]
            flash(RESET_SENT.format(minutes=minutes), "success")
            return redirect(url_for("pages.forgot_password"))
    status = 400 if request.method == "POST" else 200
    return render_template("pages/forgot_password.html", form=form), status


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> ResponseReturnValue:
    token = request.args.get("token", "")
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.password_reset_confirm(token=token, password=form.new_password.data or "")
        except services.InvalidResetToken:
            pass
        else:
            logout_user()
            flash("Your password has been reset: log in with the new one.", "success")
            return redirect(url_for("pages.login"))
    elif request.method == "POST" or services.password_reset_token_valid(token=token):
        status = 400 if request.method == "POST" else 200
        return render_template("pages/reset_password.html", form=form, token=token), status
    # An unknown, used or expired link, on arrival or when the form is sent.
    return render_template(
        "pages/reset_password.html", form=form, token=token, error=INVALID_RESET_LINK
    ), 400


@bp.route("/change-password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.password_change(
                user=current_user,
                current_password=form.current_password.data or "",
                new_password=form.new_password.data or "",
            )
        except services.IncorrectPassword:
            form.current_password.errors = ["Incorrect password."]
        else:
            # Other sessions of this account end (they carry the old fingerprint); this
            # one is renewed.
            login_user(current_user._get_current_object())
            flash("Your password has been changed.", "success")
            return redirect(url_for("pages.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("pages/change_password.html", form=form), status


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
