"""Role cards, satisfaction, the frontier, the chatbot arm and co-design levels."""

from __future__ import annotations

import pytest

from teachkit._validation import TeachkitError
from teachkit.board.design import (
    CODESIGN_LEVELS,
    chatbot_reach,
    check_codesign,
    open_levers,
)
from teachkit.board.outcomes import (
    BOARD_LEVERS,
    CONSEQUENCES,
    Outcomes,
    board_deployment,
    measure,
)
from teachkit.board.roles import ROLES, frontier, get_role, satisfaction, satisfaction_table


def _outcomes(**changes):
    base = dict(missed=10.0, missed_worst_group=15.0, worst_group="Black", needless=40.0,
                without_consent=50.0, reviewer_hours=20.0, disparity=10.0, reds=None,
                cost=60.0, chatbot_reach=0.0, crises=19.0)
    return Outcomes(**{**base, **changes})


def test_six_roles_each_weigh_the_measured_consequences():
    assert set(ROLES) == {"clinician", "patient", "data_scientist", "ethicist",
                          "regulator", "practice_manager"}
    for role in ROLES.values():
        assert set(role.weights) == set(CONSEQUENCES)
        assert sum(role.weights.values()) == pytest.approx(1.0)
        assert "(A)" in role.basis  # every weight is a teaching choice, and says so
    # a role's view puts what it cares about first
    assert get_role("regulator").ranked()[0][0] == "reds"
    assert get_role("practice_manager").ranked()[0][0] == "cost"
    assert get_role("patient").ranked()[0][0] == "without_consent"


def test_satisfaction_moves_with_what_the_role_weighs_only():
    calm, leaky = _outcomes(), _outcomes(without_consent=100.0)
    assert satisfaction(leaky, "patient") < satisfaction(calm, "patient")
    # the practice manager gives consent no weight
    assert satisfaction(leaky, "practice_manager") == satisfaction(calm, "practice_manager")
    perfect = _outcomes(missed=0, missed_worst_group=0, needless=0, without_consent=0,
                        reviewer_hours=0, disparity=0, cost=0)
    assert set(satisfaction_table(perfect).values()) == {100.0}
    with pytest.raises(TeachkitError, match="The role must be one of clinician, patient"):
        satisfaction(calm, "king")


def test_the_frontier_drops_only_deployments_beaten_on_every_role():
    tables = [{"a": 50, "b": 50}, {"a": 60, "b": 50}, {"a": 40, "b": 70},
              {"a": 60, "b": 50}]
    assert frontier(tables) == [1, 2, 3]
    assert frontier([{"a": 1}]) == [0]


def test_the_chatbot_reaches_the_patients_still_using_it():
    assert chatbot_reach("off") == 0.0
    assert chatbot_reach("day15") == 39.0  # Baumel 2019: 3.9 % on day 15
    assert chatbot_reach("day30", patients=20_000) == 660.0  # 3.3 % on day 30
    with pytest.raises(TeachkitError, match="The chatbot arm must be one of off, day15"):
        chatbot_reach("always")


def test_codesign_levels_open_more_levers_and_nothing_else():
    opened = [set(open_levers(level)) for level in CODESIGN_LEVELS]
    assert opened[0] < opened[1] < opened[2]
    assert {"consent_design", "escalation"} <= opened[2] - opened[1]
    assert opened[2] <= set(BOARD_LEVERS)
    assert check_codesign(" Co-Decide ") == "co_decide"
    with pytest.raises(TeachkitError, match="must be one of inform, consult, co-decide"):
        check_codesign("veto")


def test_a_proposal_becomes_a_validated_deployment():
    d, chatbot = board_deployment({"consent": "honoured", "review_capacity": 40,
                                   "chatbot": "day30"})
    assert (d.consent, d.review_capacity, chatbot) == ("honoured", 40, "day30")
    with pytest.raises(TeachkitError, match="proposal may set model, consent, consent_design"):
        board_deployment({"threshold": 0.1})
    with pytest.raises(TeachkitError, match="'review_capacity' parameter of Deployment"):
        board_deployment({"review_capacity": 999})


def test_measured_outcomes_follow_the_levers_and_repeat():
    usual = measure({})
    honoured = measure({"consent": "honoured"})
    alone = measure({"oversight": "model_alone"})
    dropped = measure({"oversight": "dropped"})
    assert usual.without_consent > 0 and honoured.without_consent == 0
    assert alone.reviewer_hours == 0 and alone.needless > usual.needless
    assert dropped.missed == dropped.crises  # nobody acts: every crisis is missed
    assert measure({"chatbot": "day15"}).chatbot_reach == 39.0
    assert measure({}) == usual
