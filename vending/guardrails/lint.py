"""Lint compiled SCPs with parliament, minus findings known to be wrong.

Parliament checks actions and condition keys against a snapshot of AWS's
service authorization reference. Each allowance below names the finding it
covers and why the policy is right anyway; every other finding fails
``sandboxctl guardrails check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vending.errors import GuardrailError
from vending.guardrails.compiler import CompiledPolicy


@dataclass(frozen=True)
class Allowance:
    """A parliament finding accepted on purpose: its issue code, a pattern for its detail, and why."""

    issue: str
    detail_pattern: str
    reason: str

    def covers(self, issue: str, detail: str) -> bool:
        return issue == self.issue and re.fullmatch(self.detail_pattern, detail) is not None


ALLOWANCES = (
    Allowance(
        issue="UNKNOWN_CONDITION_FOR_ACTION",
        detail_pattern=r"Unknown condition rds:DatabaseClass for action rds:"
                       r"(CreateDBInstance|CreateDBInstanceReadReplica|RestoreDBInstance\w+)",
        # Parliament 1.6.4 checks only the keys listed on the action's row,
        # but rds:DatabaseClass is a key of the db resource type, which these
        # actions create; AWS's RDS guide denies CreateDBInstance on it:
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAM.Conditions.Examples.html
        reason="rds:DatabaseClass is a condition key of the db resource these actions create",
    ),
)


@dataclass(frozen=True)
class LintFinding:
    """One parliament finding on a compiled policy, and the allowance that accepts it, if any."""

    policy_key: str
    issue: str
    detail: str
    severity: str
    allowed_because: str | None = None

    def __str__(self) -> str:
        text = f"{self.policy_key}: {self.severity} {self.issue}: {self.detail}"
        if self.allowed_because:
            text += f" (allowed: {self.allowed_because})"
        return text


def lint_policy(policy: CompiledPolicy) -> list[LintFinding]:
    """Run parliament's ``analyze_policy_string`` on one policy and mark allowed findings.

    The Python API is used because parliament's command line misreads a
    standard input that is not a terminal, as in CI.
    """
    try:
        from parliament import analyze_policy_string, enhance_finding
    except ImportError as error:
        raise GuardrailError(
            "parliament is not installed; install the dev extras (pip install -e '.[dev]') to lint policies"
        ) from error
    result = analyze_policy_string(policy.content)
    findings = []
    for finding in map(enhance_finding, result.findings):
        detail = str(finding.detail or "")
        reason = next((allowance.reason for allowance in ALLOWANCES if allowance.covers(finding.issue, detail)), None)
        findings.append(LintFinding(policy.key, finding.issue, detail, str(finding.severity), reason))
    return findings
