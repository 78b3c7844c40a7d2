"""The mass suspension and closure guard."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLE_ROSTER
from vending.errors import LifecycleError
from vending.lifecycle import allowed_count, check_mass_change, lifecycle_changes, statuses_in_organization
from vending.roster import load_roster
from vending.settings import StackSettings

TEN_ACTIVE = {f"l{n}": "active" for n in range(10)}


def settings(**values: object) -> StackSettings:
    return StackSettings.model_validate({"opsEmails": ["ops@example.com"], **values})


@pytest.mark.parametrize(
    ("before", "after", "kinds"),
    [
        ({"a": "active"}, {"a": "suspended"}, ["suspend"]),
        ({"a": "active"}, {"a": "closed"}, ["close"]),
        ({"a": "suspended"}, {"a": "closed"}, ["close"]),
        ({"a": "closed"}, {}, ["remove"]),
        ({"a": "suspended"}, {"a": "active"}, []),
        ({"a": "active"}, {"a": "active", "b": "active"}, []),
    ],
    ids=["suspend", "close active", "close suspended", "remove closed", "reactivate", "add"],
)
def test_transition_kinds(before: dict[str, str], after: dict[str, str], kinds: list[str]) -> None:
    assert [change.kind for change in lifecycle_changes(before, after)] == kinds


def test_rename_not_removal() -> None:
    assert lifecycle_changes({"old": "active"}, {"new": "active"}, {"old": "new"}) == []


@pytest.mark.parametrize(("total", "share", "expected"), [(10, 0.2, 2), (12, 0.2, 2), (3, 0.2, 1), (100, 0.25, 25)])
def test_allowed_count(total: int, share: float, expected: int) -> None:
    assert allowed_count(total, share) == expected


def test_guard_allows_at_threshold() -> None:
    after = dict(TEN_ACTIVE, l0="suspended", l1="closed")
    assert len(check_mass_change(TEN_ACTIVE, after, settings())) == 2


def test_guard_rejects_above_threshold() -> None:
    after = dict(TEN_ACTIVE, l0="suspended", l1="closed", l2="suspended")
    with pytest.raises(LifecycleError) as caught:
        check_mass_change(TEN_ACTIVE, after, settings())
    message = str(caught.value)
    assert "3 of 10 learners" in message
    assert "pulumi config set sandbox-vending:allowMassChange true" in message


def test_guard_override_allows() -> None:
    after = {key: "suspended" for key in TEN_ACTIVE}
    assert len(check_mass_change(TEN_ACTIVE, after, settings(allowMassChange=True))) == 10


def test_guard_share_configurable() -> None:
    after = dict(TEN_ACTIVE, l0="suspended", l1="closed", l2="suspended")
    assert len(check_mass_change(TEN_ACTIVE, after, settings(maxLifecycleChangeShare=0.3))) == 3


def test_statuses_read_from_organization() -> None:
    roster = load_roster(EXAMPLE_ROSTER, settings())
    accounts = {
        "aws-sandbox+jdoe@example.com": "ACTIVE",
        "aws-sandbox+kwong@example.com": "ACTIVE",
        "aws-sandbox+tjohnson@example.com": "SUSPENDED",
        "aws-sandbox+asmith@example.com": "PENDING_CLOSURE",
    }
    found = statuses_in_organization(roster, accounts, ["AWS-SANDBOX+kwong@example.com"])
    assert found == {"jdoe": "active", "kwong": "suspended", "tjohnson": "closed", "asmith": "closed"}
