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
from components.sharding import (
    OUTPUT_ACTION_ROLE,
    OUTPUT_FREEZE_POLICY,
    OUTPUT_INSTRUCTOR_PERMISSION_SET,
    OUTPUT_LEARNER_PERMISSION_SET,
    OUTPUT_SANDBOXES_OU,
    OUTPUT_SUSPENDED_OU,
    OUTPUT_TOPIC,
    OrgStackOutputs,
    SharedResources,
    TeamUnits,
    TeamUnitsArgs,
)
from components.spend import SpendControls, SpendControlsArgs
from components.team import TeamSandbox, TeamSandboxArgs, member_emails
from vending import names
from vending.access import missing_principals, permissions_boundary, shared_account_status, sign_in_url
from vending.errors import LifecycleError, VendingError
from vending.guardrails import GuardrailPlan, plan_guardrails
from vending.lanes import NewAccount, plan_lanes, predecessors
from vending.lifecycle import check_mass_change, statuses_in_organization
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
    guardrail_plan = plan_stack_guardrails(settings, roster)

    check_identity_principals(settings, roster, today)
    organization = aws.organizations.get_organization()
    guard_mass_change(settings, roster, organization, today)
    directory = lookup_directory(settings, roster, today)

    if settings.stack_kind == "team":
        shared = reference_org_stack(settings, guardrail_plan, roster)
    else:
        shared = declare_shared(settings, roster, organization, directory, guardrail_plan)
        shared.export()
        if settings.stack_kind == "org":
            return
    spend_policy = SpendPolicy(
        thresholds=settings.budget_thresholds,
        hard_stop_percent=settings.hard_stop_percent,
        alarm_percent=settings.alarm_percent,
        topic_arn=shared.topic_arn,
        freeze_policy_id=shared.freeze_policy_id,
        action_role_arn=shared.action_role_arn,
    )

    access_builder = SandboxAccessBuilder(
        settings, today.date(), directory, shared.learner_permission_set_arn, shared.instructor_permission_set_arn
    )
    create_after = creation_lanes(settings, roster, organization)
    accounts: dict[str, aws.organizations.Account] = {}
    learner_outputs: dict[str, pulumi.Output[dict[str, object]]] = {}
    for learner in roster.learners:
        team = roster.team(learner.team_id)
        if team.shared_account:
            continue
        status = learner.effective_status(today.date())
        # Lanes follow roster order, so a learner's predecessor is already declared.
        previous = create_after.get(learner.id)
        sandbox = LearnerSandbox(
            names.learner_component(learner.id),
            LearnerSandboxArgs(
                learner=learner,
                status=status,
                prefix=settings.prefix,
                parent_ou_id=shared.parent_ou_id(learner.team_id, status),
                account_role_name=settings.account_role_name,
                iam_user_access_to_billing=settings.iam_user_access_to_billing,
                closure_timeout=settings.account_closure_timeout,
                spend=spend_policy,
                subscriber_emails=subscribers([learner.email], team.instructors, settings.ops_emails),
                instance_arn=directory.instance_arn if directory else None,
                assignments=access_builder.assignments(team, [learner], "learner-access"),
                admin_role=access_builder.admin_role([learner]),
                create_after=[accounts[previous]] if previous else [],
            ),
        )
        accounts[learner.id] = sandbox.account
        learner_outputs[learner.id] = sandbox.account.id.apply(
            functools.partial(learner_summary, learner, status, today.date(), settings, None, learner.budget_usd)
        )

    for team in roster.teams:
        if team.shared_account:
            learner_outputs.update(
                declare_team_sandbox(
                    team, roster, settings, today.date(), shared, spend_policy, access_builder, directory
                )
            )

    pulumi.export("learners", learner_outputs)


def guard_mass_change(
    settings: StackSettings, roster: Roster, organization: aws.organizations.GetOrganizationResult, today: datetime
) -> None:
    """Stop the update when it would suspend or close more learners than maxLifecycleChangeShare allows.

    The status before the change is read from AWS: where each learner's account
    sits under the sandboxes OU and whether it is closed. On a stack's first run
    the OU does not exist yet and nothing is checked. Removed roster entries are
    not counted here because their accounts are protected; ``sandboxctl diff``
    counts them.
    """
    sandboxes = find_child_ou(organization.roots[0].id, names.sandboxes_ou(settings.prefix))
    if sandboxes is None:
        return
    accounts = aws.organizations.get_organizational_unit_descendant_accounts(parent_id=sandboxes).accounts
    suspended_ou = find_child_ou(sandboxes, names.suspended_ou(settings.prefix))
    suspended = (
        [
            account.email
            for account in aws.organizations.get_organizational_unit_descendant_accounts(
                parent_id=suspended_ou
            ).accounts
        ]
        if suspended_ou is not None
        else []
    )
    before = statuses_in_organization(
        roster, {account.email.lower(): account.state for account in accounts}, suspended
    )
    after = {learner.id: learner.effective_status(today.date()) for learner in roster.learners}
    try:
        check_mass_change(before, after, settings)
    except LifecycleError as error:
        raise pulumi.RunError(str(error)) from None


def find_child_ou(parent_id: str, name: str) -> str | None:
    """Return the id of the OU named ``name`` directly under ``parent_id``, or None."""
    children = aws.organizations.get_organizational_units(parent_id=parent_id).children
    return next((child.id for child in children if child.name == name), None)


def declare_shared(
    settings: StackSettings,
    roster: Roster,
    organization: aws.organizations.GetOrganizationResult,
    directory: IdentityDirectory | None,
    guardrail_plan: GuardrailPlan,
) -> SharedResources:
    """Declare the OUs, guardrails, spend controls and permission sets of an ``all`` or ``org`` stack."""
    structure = OrganizationStructure(
        "org",
        OrganizationStructureArgs(
            prefix=settings.prefix,
            root_id=organization.roots[0].id,
            # An org stack leaves every team OU to the team stack that manages the team.
            teams=roster.teams if settings.stack_kind == "all" else [],
        ),
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
    return SharedResources(
        sandboxes_ou_id=structure.sandboxes.id,
        suspended_ou_id=structure.suspended.id,
        team_ou_ids={team_id: ou.id for team_id, ou in structure.team_ous.items()},
        topic_arn=spend.topic.arn,
        action_role_arn=spend.action_role.arn,
        freeze_policy_id=guardrails.spend_freeze.id,
        policy_ids=guardrails.policy_ids,
        learner_permission_set_arn=access.learner_permission_set.arn if access else None,
        instructor_permission_set_arn=access.instructor_permission_set.arn if access else None,
    )


def reference_org_stack(settings: StackSettings, guardrail_plan: GuardrailPlan, roster: Roster) -> SharedResources:
    """Read the org stack's shared resources and declare this team stack's team OUs and their guardrails."""
    assert settings.org_stack is not None  # StackSettings requires orgStack for team stacks.
    org = OrgStackOutputs(settings.org_stack)
    sandboxes_ou_id = org.require(OUTPUT_SANDBOXES_OU)
    units = TeamUnits(
        "teams",
        TeamUnitsArgs(
            prefix=settings.prefix,
            sandboxes_ou_id=sandboxes_ou_id,
            teams=roster.teams,
            team_policies={
                team.id: [(policy.key, org.policy_id(policy.key)) for policy in guardrail_plan.teams.get(team.id, ())]
                for team in roster.teams
            },
        ),
    )
    identity_center = settings.access_mode == "identity_center"
    return SharedResources(
        sandboxes_ou_id=sandboxes_ou_id,
        suspended_ou_id=org.require(OUTPUT_SUSPENDED_OU),
        team_ou_ids={team_id: ou.id for team_id, ou in units.team_ous.items()},
        topic_arn=org.require(OUTPUT_TOPIC),
        action_role_arn=org.require(OUTPUT_ACTION_ROLE),
        freeze_policy_id=org.require(OUTPUT_FREEZE_POLICY),
        policy_ids={},
        learner_permission_set_arn=org.require(OUTPUT_LEARNER_PERMISSION_SET) if identity_center else None,
        instructor_permission_set_arn=org.require(OUTPUT_INSTRUCTOR_PERMISSION_SET) if identity_center else None,
    )


def plan_stack_guardrails(settings: StackSettings, roster: Roster) -> GuardrailPlan:
    """Compile the guardrails over every team of the roster, also in a team stack.

    Which guardrails the sandboxes OU keeps depends on what any team relaxes,
    so a team stack plans over the whole roster, as its org stack does, and
    finds the same policies there.
    """
    teams = roster.teams
    try:
        if settings.stack_kind == "team":
            everyone = settings.model_copy(update={"teams": None})
            teams = load_roster(PROGRAM_DIR / settings.roster_path, everyone, display_name=settings.roster_path).teams
        return plan_guardrails(settings, teams)
    except VendingError as error:
        raise pulumi.RunError(str(error)) from None


def creation_lanes(
    settings: StackSettings, roster: Roster, organization: aws.organizations.GetOrganizationResult
) -> dict[str, str | None]:
    """Chain the accounts this update creates; return each new learner's predecessor in its chain.

    An account already exists when the organization has an account with its
    email (AWS compares emails case-insensitively). Reading the organization
    rather than the stack state also covers accounts created outside this stack,
    and needs no earlier deployment: on a stack's first run every account is new.
    """
    existing = {account.email.lower() for account in organization.accounts or []}
    new_accounts = [
        NewAccount(learner.id, learner.team_id)
        for learner in roster.learners
        # A shared team account is one creation for the whole team; it is left out of the lanes.
        if not roster.team(learner.team_id).shared_account and learner.account_email.lower() not in existing
    ]
    return predecessors(plan_lanes(new_accounts, settings.max_concurrent_creations))


def declare_team_sandbox(
    team: Team,
    roster: Roster,
    settings: StackSettings,
    today: date,
    shared: SharedResources,
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
            parent_ou_id=shared.parent_ou_id(team.id, status),
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
