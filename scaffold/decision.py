"""The decision engine: a table of criteria and one pure function that ranks frameworks.

Each criterion is a need a project may have, with the points it gives each framework and
the reason, in plain words, drawn from the seed comparison. `recommend` adds the points of
the chosen needs, plus a bonus for every framework the team already knows, and returns all
three frameworks ranked with the reasons that moved them. No I/O: the CLI builds its
questions from the same table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scaffold.errors import BadInput
from scaffold.frameworks import Framework

D, FL, FA = Framework.django, Framework.flask, Framework.fastapi


@dataclass(frozen=True)
class Criterion:
    """One need: its stable key, the plain question, and per framework (points, reason)."""

    key: str
    question: str
    scores: dict[Framework, tuple[int, str]]


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "html",
        "Server-rendered HTML pages",
        {
            D: (3, "templates, forms and login views are built in"),
            FL: (2, "Jinja2 templates are built in"),
            FA: (0, "API-focused: HTML templates are an add-on"),
        },
    ),
    Criterion(
        "admin",
        "A built-in admin panel to manage data",
        {
            D: (3, "the Django admin comes built in"),
            FL: (1, "admin through the Flask-Admin extension"),
            FA: (1, "admin through the SQLAdmin extension"),
        },
    ),
    Criterion(
        "auth",
        "User accounts, permissions and user management out of the box",
        {
            D: (3, "accounts, groups and permissions are built in"),
            FL: (1, "sessions through Flask-Login; the rest is yours to assemble"),
            FA: (1, "OAuth2 utilities built in; user management is yours to write"),
        },
    ),
    Criterion(
        "cms",
        "Content management, e-commerce or enterprise SaaS",
        {
            D: (3, "the classic fit: admin, ORM, auth and a huge ecosystem of apps"),
            FL: (0, "you would assemble every piece yourself"),
            FA: (0, "focused on APIs, not on content sites"),
        },
    ),
    Criterion(
        "stability",
        "Long-term stability and a very mature ecosystem",
        {
            D: (3, "twenty years old, with the largest ecosystem of the three"),
            FL: (2, "mature, with a standard extension pattern"),
            FA: (0, "the youngest ecosystem, though growing fast"),
        },
    ),
    Criterion(
        "frontend-and-api",
        "Both a web front end and an API in one project",
        {
            D: (3, "Django with Django REST framework covers pages and API together"),
            FL: (1, "Jinja2 pages plus an API extension, wired by hand"),
            FA: (1, "strong on the API; pages need Jinja2 on top"),
        },
    ),
    Criterion(
        "flexible",
        "Choosing every component yourself",
        {
            D: (0, "opinionated: it brings its own ORM, forms and templates"),
            FL: (3, "a micro-framework: every component is your choice"),
            FA: (1, "no ORM or admin imposed, but built around Pydantic and Starlette"),
        },
    ),
    Criterion(
        "prototype",
        "A simple API, internal tool or rapid prototype",
        {
            D: (0, "a full project structure before the first endpoint"),
            FL: (3, "a working endpoint in under ten lines"),
            FA: (2, "quick to start, with validation and docs for free"),
        },
    ),
    Criterion(
        "serverless",
        "Serverless functions or webhooks, where start-up time and memory matter",
        {
            D: (0, "the heaviest start-up of the three"),
            FL: (3, "small footprint and fast start-up"),
            FA: (1, "light, though Pydantic adds start-up time"),
        },
    ),
    Criterion(
        "beginner",
        "New to web frameworks: the gentlest learning path",
        {
            D: (0, "the steepest learning curve"),
            FL: (3, "the gentlest learning curve: few concepts up front"),
            FA: (1, "moderate: type hints, Pydantic and async to learn"),
        },
    ),
    Criterion(
        "api-first",
        "An API-first application or microservice",
        {
            D: (1, "capable through Django REST framework, with more set-up"),
            FL: (1, "capable through extensions such as flask-smorest"),
            FA: (3, "designed for APIs first"),
        },
    ),
    Criterion(
        "concurrency",
        "High concurrency with I/O-heavy work (external API calls)",
        {
            D: (1, "async views exist, but the ORM is synchronous at its core"),
            FL: (0, "WSGI and synchronous by design"),
            FA: (3, "ASGI and async-first: waits on I/O do not block workers"),
        },
    ),
    Criterion(
        "websockets",
        "Real-time features, WebSockets",
        {
            D: (1, "WebSockets through Channels, an add-on"),
            FL: (0, "WSGI has no WebSockets; it needs a separate server"),
            FA: (3, "WebSockets are native on ASGI"),
        },
    ),
    Criterion(
        "api-docs",
        "Automatic interactive API documentation",
        {
            D: (1, "through DRF and drf-spectacular"),
            FL: (1, "through an extension such as flask-smorest"),
            FA: (3, "Swagger UI and ReDoc generated from the code"),
        },
    ),
    Criterion(
        "ml",
        "Serving machine-learning models, AI back ends",
        {
            D: (0, "its strengths (admin, templates) matter little here"),
            FL: (1, "light enough, but synchronous"),
            FA: (3, "the common choice: async, typed and fast for model serving"),
        },
    ),
    Criterion(
        "typing",
        "Type safety and automatic request/response validation",
        {
            D: (1, "validation through DRF serializers, declared separately"),
            FL: (0, "validation is manual or through marshmallow"),
            FA: (3, "Pydantic validates every request from its type hints"),
        },
    ),
)

NEED_KEYS: tuple[str, ...] = tuple(c.key for c in CRITERIA)
KNOWN_BONUS = 2
_BY_KEY = {c.key: c for c in CRITERIA}
# Ties are broken by this order, so the result never depends on dict order.
_TIE_ORDER = (Framework.django, Framework.fastapi, Framework.flask)


@dataclass(frozen=True)
class Ranked:
    """One framework's place in a ranking: its score and the reasons behind it."""

    framework: Framework
    score: int
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ranking:
    """All three frameworks, best first, for the given needs and team knowledge."""

    ranked: list[Ranked]
    needs: list[str]
    known: list[Framework]

    @property
    def best(self) -> Framework:
        """The recommended framework."""
        return self.ranked[0].framework

    def as_dict(self) -> dict[str, object]:
        """The machine-readable form printed by `scaffold recommend --json`."""
        return {
            "framework": self.best.value,
            "ranking": [
                {"framework": r.framework.value, "score": r.score, "reasons": r.reasons}
                for r in self.ranked
            ],
            "needs": self.needs,
            "known": [k.value for k in self.known],
        }


def criterion(key: str) -> Criterion:
    """The criterion for a need key; `BadInput` naming the valid keys if there is none."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise BadInput(
            f"unknown need {key!r}",
            hint="valid needs: " + ", ".join(NEED_KEYS),
        ) from None


def _split(values: Iterable[str]) -> list[str]:
    """Option values as single items: each value may be a comma-separated list."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_needs(values: Iterable[str]) -> list[str]:
    """Need keys from `--need` values (repeated, or comma lists such as `html,admin`).

    Any case is accepted and repeats count once; an unknown key is `BadInput` naming the
    valid ones.
    """
    return [criterion(key).key for key in dict.fromkeys(k.lower() for k in _split(values))]


def parse_frameworks(values: Iterable[str]) -> list[Framework]:
    """Frameworks from `--know` values (repeated, or comma lists such as `django,flask`)."""
    return list(dict.fromkeys(parse_framework(name) for name in _split(values)))


def need_help() -> str:
    """The `--need` option's help, built from the criteria table so the two never drift."""
    return "A need of the project; repeat it or give a comma list (html,admin). One of: " + (
        ", ".join(NEED_KEYS) + "."
    )


@dataclass(frozen=True)
class OptionNeed:
    """A template option that some needs turn on, and the starters that have it.

    `missing` says, for a starter without the option, why it cannot serve those needs;
    empty when the starter serves them anyway (Django and Flask always render HTML).
    """

    option: str
    needs: frozenset[str]
    frameworks: frozenset[Framework]
    missing: str = ""


ALL = frozenset(Framework)
OPTION_NEEDS: tuple[OptionNeed, ...] = (
    OptionNeed("admin", frozenset({"admin", "cms"}), ALL),
    OptionNeed("html", frozenset({"html", "frontend-and-api"}), frozenset({FA})),
    OptionNeed("tasks", frozenset({"concurrency", "ml"}), ALL),
    OptionNeed(
        "realtime",
        frozenset({"websockets"}),
        frozenset({D, FA}),
        missing="Flask has no realtime option: WSGI is synchronous by design, so it serves "
        "no WebSockets (FastAPI does natively, Django through Channels)",
    ),
)


def suggestions(framework: Framework, needs: Iterable[str]) -> dict[str, Any]:
    """Template answers the needs imply (`OPTION_NEEDS`), for the options `framework` has.

    They become defaults the user may still change, never fixed answers; a template
    without the question ignores them.
    """
    chosen = set(needs)
    return {
        row.option: True
        for row in OPTION_NEEDS
        if framework in row.frameworks and chosen & row.needs
    }


def unserved(framework: Framework, needs: Iterable[str]) -> list[str]:
    """One sentence per need the framework's starter cannot serve (said before rendering)."""
    chosen = list(dict.fromkeys(needs))
    return [
        f"{', '.join(n for n in chosen if n in row.needs)}: {row.missing}."
        for row in OPTION_NEEDS
        if row.missing and framework not in row.frameworks and row.needs & set(chosen)
    ]


def check_options(framework: Framework, answers: dict[str, Any]) -> None:
    """Refuse an option turned on for a starter that does not have it, saying which do."""
    for row in OPTION_NEEDS:
        value = answers.get(row.option)
        turned_on = value is True or str(value).strip().lower() in {"true", "yes", "1"}
        if row.missing and framework not in row.frameworks and turned_on:
            others = sorted(f.label for f in row.frameworks)
            raise BadInput(
                f"{row.option}=true: {row.missing}",
                hint="use --framework " + " or --framework ".join(o.lower() for o in others),
            )


def parse_framework(name: str) -> Framework:
    """A framework from its name, any case; `BadInput` if it is not one of the three."""
    try:
        return Framework(name.strip().lower())
    except ValueError:
        raise BadInput(
            f"unknown framework {name!r}",
            hint="choose one of: " + ", ".join(f.value for f in Framework),
        ) from None


def recommend(needs: Iterable[str], known: Iterable[Framework] = ()) -> Ranking:
    """Rank the three frameworks for `needs` (keys of `CRITERIA`) and the team's knowledge.

    Every framework gets the points each need gives it, and `KNOWN_BONUS` if the team
    already knows it. Reasons list the largest contributions first. Unknown keys raise
    `BadInput`; repeated keys count once.
    """
    chosen = [criterion(key) for key in dict.fromkeys(needs)]
    known_set = list(dict.fromkeys(known))
    ranked = []
    for framework in _TIE_ORDER:
        contributions = [
            (points, f"{c.key}: {reason}")
            for c in chosen
            for points, reason in [c.scores[framework]]
        ]
        if framework in known_set:
            contributions.append(
                (KNOWN_BONUS, f"team: you already know {framework.label}, so no learning time")
            )
        contributions.sort(key=lambda item: -item[0])
        ranked.append(
            Ranked(
                framework=framework,
                score=sum(points for points, _ in contributions),
                reasons=[f"{points:+d} {text}" for points, text in contributions],
            )
        )
    ranked.sort(key=lambda r: -r.score)  # stable: ties keep _TIE_ORDER
    return Ranking(ranked=ranked, needs=[c.key for c in chosen], known=known_set)
