"""The decision engine: every need moves the ranking the way the seed comparison says."""

from __future__ import annotations

import pytest

from scaffold.decision import (
    CRITERIA,
    KNOWN_BONUS,
    NEED_KEYS,
    OPTION_NEEDS,
    check_options,
    need_help,
    parse_framework,
    parse_frameworks,
    parse_needs,
    recommend,
    suggestions,
    unserved,
)
from scaffold.errors import BadInput
from scaffold.frameworks import Framework

D, FL, FA = Framework.django, Framework.flask, Framework.fastapi

# What the seed's "When to use which" says each need points to.
SEED_WINNER = {
    "html": D,
    "admin": D,
    "auth": D,
    "cms": D,
    "stability": D,
    "frontend-and-api": D,
    "flexible": FL,
    "prototype": FL,
    "serverless": FL,
    "beginner": FL,
    "api-first": FA,
    "concurrency": FA,
    "websockets": FA,
    "api-docs": FA,
    "ml": FA,
    "typing": FA,
}


def test_need_keys_are_exactly_the_specified_ones() -> None:
    assert set(NEED_KEYS) == set(SEED_WINNER)
    assert len(NEED_KEYS) == len(set(NEED_KEYS))


@pytest.mark.parametrize("need", list(SEED_WINNER))
def test_each_need_alone_puts_the_seed_framework_strictly_first(need: str) -> None:
    ranking = recommend([need])
    first, second = ranking.ranked[0], ranking.ranked[1]
    assert first.framework is SEED_WINNER[need]
    assert first.score > second.score


@pytest.mark.parametrize("need", list(SEED_WINNER))
def test_each_need_gives_every_framework_a_reason(need: str) -> None:
    for ranked in recommend([need]).ranked:
        assert len(ranked.reasons) == 1
        assert need in ranked.reasons[0]


def test_every_criterion_scores_all_three_frameworks() -> None:
    for c in CRITERIA:
        assert set(c.scores) == set(Framework), c.key
        assert c.question and all(reason for _, reason in c.scores.values())


def test_ranking_lists_all_three_sorted_by_score() -> None:
    ranking = recommend(["admin", "html", "typing"])
    assert {r.framework for r in ranking.ranked} == set(Framework)
    scores = [r.score for r in ranking.ranked]
    assert scores == sorted(scores, reverse=True)
    assert ranking.best is D


def test_team_knowledge_counts() -> None:
    # prototype: Flask 3, FastAPI 2. A team that knows FastAPI tips the balance.
    assert recommend(["prototype"]).best is FL
    ranking = recommend(["prototype"], [FA])
    assert ranking.best is FA
    fastapi = ranking.ranked[0]
    assert fastapi.score == 2 + KNOWN_BONUS
    assert any("already know FastAPI" in reason for reason in fastapi.reasons)


def test_mixed_needs_add_up() -> None:
    ranking = recommend(["api-first", "typing", "beginner"])
    scores = {r.framework: r.score for r in ranking.ranked}
    assert scores == {FA: 3 + 3 + 1, D: 1 + 1 + 0, FL: 1 + 0 + 3}


def test_repeated_needs_count_once() -> None:
    assert recommend(["ml", "ml"]).ranked == recommend(["ml"]).ranked


def test_no_needs_is_a_tie_in_the_fixed_order() -> None:
    ranking = recommend([])
    assert [r.score for r in ranking.ranked] == [0, 0, 0]
    assert [r.framework for r in ranking.ranked] == [D, FA, FL]  # the documented tie-break
    assert all(r.reasons == [] for r in ranking.ranked)


@pytest.mark.parametrize(
    ("values", "keys"),
    [
        (["html,admin"], ["html", "admin"]),
        (["html", "admin"], ["html", "admin"]),
        ([" Html , ADMIN ,", "html"], ["html", "admin"]),
        ([",", ""], []),
    ],
)
def test_parse_needs_takes_comma_lists(values: list[str], keys: list[str]) -> None:
    assert parse_needs(values) == keys


def test_parse_needs_names_the_bad_item() -> None:
    with pytest.raises(BadInput, match="unknown need 'blockchain'"):
        parse_needs(["html,blockchain"])


def test_parse_frameworks_takes_comma_lists() -> None:
    assert parse_frameworks(["Django,flask", "django"]) == [D, FL]
    with pytest.raises(BadInput, match="rails"):
        parse_frameworks(["flask,rails"])


def test_need_help_lists_every_key() -> None:
    text = need_help()
    assert all(key in text for key in NEED_KEYS)


@pytest.mark.parametrize(
    ("framework", "needs", "expected"),
    [
        (FA, ["admin", "html"], {"admin": True, "html": True}),
        (FA, ["frontend-and-api"], {"html": True}),
        (D, ["html", "cms"], {"admin": True}),
        (FL, ["html"], {}),
        (FL, [], {}),
        (FA, ["websockets"], {"realtime": True}),
        (D, ["websockets", "ml"], {"realtime": True, "tasks": True}),
        (FL, ["websockets", "concurrency"], {"tasks": True}),
    ],
)
def test_suggestions_follow_the_needs(
    framework: Framework, needs: list[str], expected: dict[str, bool]
) -> None:
    assert suggestions(framework, needs) == expected


def test_every_need_fits_an_80_column_checkbox() -> None:
    """The interactive checkbox puts 5 characters before each need's question."""
    assert max(len(c.question) for c in CRITERIA) + 5 <= 79


def test_unknown_need_is_bad_input_naming_the_valid_keys() -> None:
    with pytest.raises(BadInput) as info:
        recommend(["html", "blockchain"])
    assert "blockchain" in info.value.message
    assert info.value.hint is not None and "api-first" in info.value.hint
    assert info.value.exit_code == 2


def test_reasons_put_the_biggest_contribution_first() -> None:
    django = next(r for r in recommend(["beginner", "admin"]).ranked if r.framework is D)
    assert django.reasons[0].startswith("+3 admin")


def test_json_shape() -> None:
    data = recommend(["admin", "html"], [FL]).as_dict()
    assert data["framework"] == "django"
    assert data["needs"] == ["admin", "html"]
    assert data["known"] == ["flask"]
    ranking = data["ranking"]
    assert isinstance(ranking, list)
    assert [set(entry) for entry in ranking] == [{"framework", "score", "reasons"}] * 3


@pytest.mark.parametrize("name", ["Django", " flask ", "FASTAPI"])
def test_parse_framework_any_case(name: str) -> None:
    assert parse_framework(name).value == name.strip().lower()


def test_parse_framework_rejects_others() -> None:
    with pytest.raises(BadInput):
        parse_framework("rails")


def test_the_decision_guide_shows_the_real_table() -> None:
    """docs/decision-guide.md lists every need with the points the engine gives."""
    from tests.conftest import REPO_ROOT

    text = (REPO_ROOT / "docs" / "decision-guide.md").read_text()
    for c in CRITERIA:
        row = next((ln for ln in text.splitlines() if ln.startswith(f"| `{c.key}` |")), None)
        assert row is not None, f"{c.key} missing from the decision guide"
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[2:5] == [str(c.scores[f][0]) for f in (D, FL, FA)], c.key


def test_every_option_need_names_real_needs() -> None:
    for row in OPTION_NEEDS:
        assert row.needs <= set(NEED_KEYS), row
        assert row.frameworks, row
        if row.frameworks != frozenset(Framework):
            assert row.missing or row.option == "html", row


def test_unserved_needs_are_said_plainly() -> None:
    [sentence] = unserved(FL, ["html", "websockets"])
    assert sentence.startswith("websockets: Flask has no realtime option")
    assert "FastAPI" in sentence and "Django" in sentence
    assert unserved(FA, ["websockets"]) == []
    assert unserved(D, ["websockets", "html"]) == []
    assert unserved(FL, ["html", "admin"]) == []


@pytest.mark.parametrize("value", [True, "true", "yes", "1"])
def test_an_option_the_starter_lacks_is_bad_input(value: object) -> None:
    with pytest.raises(BadInput) as info:
        check_options(FL, {"realtime": value})
    assert "FastAPI" in info.value.message and "Django" in info.value.message
    assert info.value.hint == "use --framework django or --framework fastapi"
    check_options(FL, {"realtime": False, "tasks": True})
    check_options(FA, {"realtime": True})
