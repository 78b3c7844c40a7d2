"""sandbox-vending Pulumi program: read stack config and the roster, declare every sandbox.

The roster and settings are validated completely before the first resource
is declared, so an invalid roster declares nothing.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.access import IdentityCenterAccess, IdentityCenterAccessArgs, SandboxAccessBuilder
from components.guardrails import Guardrails, GuardrailsArgs
from components.learner import LearnerSandbox, LearnerSandboxArgs, SpendPolicy
from components.organization import OrganizationStructure, OrganizationStructureArgs
from components.spend import SpendControls, SpendControlsArgs
from components.team import TeamSandbox, TeamSandboxArgs, member_emails
from vending import names
from vending.access import missing_principals, permissions_boundary, shared_account_status, sign_in_url
from vending.errors import VendingError
from vending.guardrails import plan_guardrails
from vending.lookups import IdentityDirectory, missing_groups, missing_users, teams_in_use
from vending.roster import Learner, Roster, Team, load_roster
from vending.settings import PROJECT, StackSettings, config_key, parse_config_value, settings_from_values

PROGRAM_DIR = Path(__file__).resolve().parent


def read_settings() -> StackSettings:
    config = pulumi.Config(PROJECT)
    values = {}
    for field_name in StackSettings.model_fields:
        key = config_key(field_name)
        raw = config.get(key)
        if raw is not None:
            values[key] = parse_config_value(raw)
    return settings_from_values(values, f"stack '{pulumi.get_stack()}' config")


def load_inputs() -> tuple[StackSettings, Roster]:
    try:
        settings = read_settings()
        roster_file = PROGRAM_DIR / settings.roster_path
        roster = load_roster(roster_file, settings, display_name=settings.roster_path)
        return settings, roster
    except VendingError as error:
        # RunError prints the message without a Python traceback.
        raise pulumi.RunError(str(error)) from None


def check_identity_principals(settings: StackSettings, roster: Roster, today: datetime) -> None:
    """Reject an iam_role stack where an active learner has no identity-account principal."""
    if settings.access_mode != "iam_role":
        return
    missing = missing_principals(roster, settings, today.date())
    if missing:
        raise pulumi.RunError(
            "sandbox-vending:identityAccountPrincipals has no entry for these active learners:\n"
            + "\n".join(f"  {line}" for line in missing)
            + "\nAdd each learner id with the IAM user or role ARNs they sign in with in the identity account, "
            "or set the learner's status to suspended."
        )


def lookup_directory(settings: StackSettings, roster: Roster, today: datetime) -> IdentityDirectory | None:
    if settings.access_mode != "identity_center":
        return None
    instances = aws.ssoadmin.get_instances()
    if not instances.arns:
        raise pulumi.RunError(
            "no IAM Identity Center instance found in this account and region; enable Identity Center "
            "or set sandbox-vending:accessMode to iam_role"
        )
    store_id = instances.identity_store_ids[0]
    users = aws.identitystore.get_users(identity_store_id=store_id)
    group_ids: dict[str, str] = {}
    if any(team.instructor_group for team in teams_in_use(roster, today.date())):
        # One invoke for every group of the store, not one per team.
        groups = aws.identitystore.get_groups(identity_store_id=store_id)
        group_ids = {group.display_name: group.group_id for group in groups.groups}
    directory = IdentityDirectory(
        instance_arn=instances.arns[0],
        identity_store_id=store_id,
        user_ids={user.user_name: user.user_id for user in users.users},
        group_ids=group_ids,
    )
    missing = missing_users(roster, directory, today.date())
    if missing:
        raise pulumi.RunError(
            "Identity Center users not found in identity store "
            f"{store_id}:\n"
            + "\n".join(f"  {line}" for line in missing)
            + "\nCreate the users (or sync them from your identity provider), or set 'user:' on the roster entry."
        )
    missing = missing_groups(roster, directory, today.date())
    if missing:
        raise pulumi.RunError(
            f"Identity Center groups not found in identity store {store_id}:\n"
            + "\n".join(f"  {line}" for line in missing)
            + "\nCreate the group (display names match exactly, case included), or fix instructor_group in the roster."
        )
    return directory


def main() -> None:
    settings, roster = load_inputs()
    today = datetime.combine(settings.today, datetime.min.time(), UTC) if settings.today else datetime.now(UTC)
    try:
        guardrail_plan = plan_guardrails(settings, roster.teams)
    except VendingError as error:
        raise pulumi.RunError(str(error)) from None

    check_identity_principals(settings, roster, today)
    organization = aws.organizations.get_organization()
    directory = lookup_directory(settings, roster, today)

    structure = OrganizationStructure(
        "org",
        OrganizationStructureArgs(prefix=settings.prefix, root_id=organization.roots[0].id, teams=roster.teams),
    )
    guardrails = Guardrails(
        "guardrails",
        GuardrailsArgs(
            plan=guardrail_plan,
            sandboxes_ou_id=structure.sandboxes.id,
            suspended_ou_id=structure.suspended.id,
            team_ou_ids={team_id: ou.id for team_id, ou in structure.team_ous.items()},
        ),
    )
    spend = SpendControls(
        "spend",
        SpendControlsArgs(
            prefix=settings.prefix,
            management_account_id=organization.master_account_id,
            ops_emails=settings.ops_emails,
            spend_freeze_policy_arn=guardrails.spend_freeze.arn,
        ),
    )
    access = None
    if directory is not None:
        access = IdentityCenterAccess(
            "access",
            IdentityCenterAccessArgs(
                prefix=settings.prefix,
                instance_arn=directory.instance_arn,
                session_duration=settings.session_duration,
                learner_policy_arn=settings.learner_policy_arn,
                instructor_policy_arn=settings.instructor_policy_arn,
                learner_boundary=permissions_boundary(settings),
                learner_deny_policy=settings.learner_deny_policy,
            ),
        )
    access_builder = SandboxAccessBuilder(settings, today.date(), directory, access)
    spend_policy = SpendPolicy(
        thresholds=settings.budget_thresholds,
        hard_stop_percent=settings.hard_stop_percent,
        alarm_percent=settings.alarm_percent,
        topic_arn=spend.topic.arn,
        freeze_policy_id=guardrails.spend_freeze.id,
        action_role_arn=spend.action_role.arn,
    )

    learner_outputs: dict[str, pulumi.Output[dict[str, object]]] = {}
    for learner in roster.learners:
        team = roster.team(learner.team_id)
        if team.shared_account:
            continue
        status = learner.effective_status(today.date())
        parent_ou = structure.team_ous[learner.team_id].id if status == "active" else structure.suspended.id
        sandbox = LearnerSandbox(
            names.learner_component(learner.id),
            LearnerSandboxArgs(
                learner=learner,
                status=status,
                prefix=settings.prefix,
                parent_ou_id=parent_ou,
                account_role_name=settings.account_role_name,
                iam_user_access_to_billing=settings.iam_user_access_to_billing,
                closure_timeout=settings.account_closure_timeout,
                spend=spend_policy,
                subscriber_emails=subscribers([learner.email], team.instructors, settings.ops_emails),
                instance_arn=directory.instance_arn if directory else None,
                assignments=access_builder.assignments(team, [learner], "learner-access"),
                admin_role=access_builder.admin_role([learner]),
            ),
        )
        learner_outputs[learner.id] = sandbox.account.id.apply(
            functools.partial(learner_summary, learner, status, today.date(), settings, None, learner.budget_usd)
        )

    for team in roster.teams:
        if team.shared_account:
            learner_outputs.update(
                declare_team_sandbox(team, roster, settings, today.date(), structure, spend_policy, access_builder,
                                     directory)
            )

    pulumi.export("learners", learner_outputs)
    pulumi.export("sandboxes_ou_id", structure.sandboxes.id)
    pulumi.export("suspended_ou_id", structure.suspended.id)
    pulumi.export("spend_topic_arn", spend.topic.arn)


def declare_team_sandbox(
    team: Team,
    roster: Roster,
    settings: StackSettings,
    today: date,
    structure: OrganizationStructure,
    spend_policy: SpendPolicy,
    access_builder: SandboxAccessBuilder,
    directory: IdentityDirectory | None,
) -> dict[str, pulumi.Output[dict[str, object]]]:
    """Declare the shared account of a ``shared_account`` team; return the stack output of each member.

    A team without learners declares no account.
    """
    members = list(roster.learners_of(team.id))
    if not members:
        return {}
    status = shared_account_status(learner.effective_status(today) for learner in members)
    first = members[0]  # the roster fills in the team's account name and email on every member
    sandbox = TeamSandbox(
        names.team_component(team.id),
        TeamSandboxArgs(
            team=team,
            members=members,
            account_name=first.account_name,
            account_email=first.account_email,
            status=status,
            prefix=settings.prefix,
            parent_ou_id=structure.team_ous[team.id].id if status == "active" else structure.suspended.id,
            account_role_name=settings.account_role_name,
            iam_user_access_to_billing=settings.iam_user_access_to_billing,
            closure_timeout=settings.account_closure_timeout,
            spend=spend_policy,
            subscriber_emails=subscribers(member_emails(members), team.instructors, settings.ops_emails),
            instance_arn=directory.instance_arn if directory else None,
            assignments=access_builder.assignments(team, members, "member-{learner}"),
            admin_role=access_builder.admin_role(members),
        ),
    )
    return {
        learner.id: sandbox.account.id.apply(
            functools.partial(
                learner_summary, learner, learner.effective_status(today), today, settings, team.id, team.budget_usd
            )
        )
        for learner in members
    }


def learner_summary(
    learner: Learner,
    status: str,
    today: date,
    settings: StackSettings,
    shared_team: str | None,
    budget_usd: float,
    account_id: str,
) -> dict[str, object]:
    """Return the stack output of one learner; ``shared_team`` is set when the account is the team's."""
    return {
        "account_id": account_id,
        "team": learner.team_id,
        "status": status,
        "status_reason": learner.status_reason(today),
        "budget_usd": budget_usd,
        "expires": learner.expires.isoformat() if learner.expires else None,
        "access_mode": settings.access_mode,
        "sign_in_url": sign_in_url(settings, account_id) if status == "active" else None,
        "shared_account_team": shared_team,
    }


def subscribers(contacts: list[str], instructors: tuple[str, ...], ops_emails: list[str]) -> list[str]:
    """Email the contacts, the instructors whose user names are addresses, and the ops emails."""
    emails = [*contacts, *(name for name in instructors if "@" in name), *ops_emails]
    return sorted({email.lower(): email for email in emails}.values())


main()
