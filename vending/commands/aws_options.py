"""Options and helpers shared by the subcommands that call AWS."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import boto3
from botocore.exceptions import BotoCoreError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from vending.aws.clients import DEFAULT_REGION, AwsClients
from vending.commands.common import stack_file
from vending.errors import AwsOperationError
from vending.settings import load_stack_file


def add_aws_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default=None, help="AWS named profile (default: the usual boto3 credential chain)")
    parser.add_argument("--region", default=None,
                        help="region for regional services such as IAM Identity Center "
                             "(default: aws:region from the stack config, else us-east-1)")


def stack_region(args: argparse.Namespace) -> str:
    _, raw = load_stack_file(stack_file(args))
    return str(raw.get("aws:region") or DEFAULT_REGION)


def build_clients(args: argparse.Namespace) -> AwsClients:
    """Create the clients for a command from --profile and --region; tests replace this function."""
    region = args.region or stack_region(args)
    try:
        session = boto3.Session(profile_name=args.profile, region_name=region)
    except BotoCoreError as error:
        raise AwsOperationError(f"cannot create an AWS session for profile {args.profile!r}: {error}") from error
    return AwsClients(session, region)


@contextmanager
def progress_on_stderr(enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """Show a spinner with the current step on stderr; yield a function that sets the step."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda _message: None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("starting", total=None)
        yield lambda message: progress.update(task, description=message)


def stdout_console() -> Console:
    return Console(file=sys.stdout)
