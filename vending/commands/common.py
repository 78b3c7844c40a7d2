"""Options and loaders that several subcommands share."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

from vending.roster import Roster, load_roster
from vending.settings import StackSettings, load_stack_file

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_STACK_FILE = "Pulumi.example.yaml"


def add_input_options(parser: argparse.ArgumentParser, roster_positional: bool = True) -> None:
    """Add the ROSTER argument and the --stack-config, --project-dir and --today options."""
    if roster_positional:
        parser.add_argument("roster", nargs="?", help="roster file (default: rosterPath from the stack config)")
    parser.add_argument(
        "--stack-config",
        default=None,
        help=f"Pulumi stack config file to read settings from (default: {DEFAULT_STACK_FILE} in the project)",
    )
    parser.add_argument("--project-dir", default=None, help="directory containing Pulumi.yaml (default: this checkout)")
    parser.add_argument(
        "--today",
        type=calendar_date,
        default=None,
        help="date used for expiry, YYYY-MM-DD (default: the stack's today setting, else today in UTC)",
    )


def calendar_date(text: str) -> date:
    """Parse a YYYY-MM-DD option value; argparse shows the ``ArgumentTypeError`` message as is."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date '{text}': use a real calendar date, YYYY-MM-DD") from None


def project_dir(args: argparse.Namespace) -> Path:
    return Path(args.project_dir).resolve() if getattr(args, "project_dir", None) else PROJECT_DIR


def stack_file(args: argparse.Namespace) -> Path:
    if getattr(args, "stack_config", None):
        return Path(args.stack_config)
    return project_dir(args) / DEFAULT_STACK_FILE


def load_settings(args: argparse.Namespace) -> StackSettings:
    settings, _ = load_stack_file(stack_file(args))
    if getattr(args, "today", None):
        settings = settings.model_copy(update={"today": args.today})
    return settings


def roster_path(args: argparse.Namespace, settings: StackSettings) -> Path:
    if getattr(args, "roster", None):
        return Path(args.roster)
    return project_dir(args) / settings.roster_path


def load_inputs(args: argparse.Namespace) -> tuple[StackSettings, Roster]:
    """Load the stack settings and the roster named by the command line."""
    settings = load_settings(args)
    path = roster_path(args, settings)
    return settings, load_roster(path, settings, display_name=display_path(path))


def effective_today(settings: StackSettings) -> date:
    return settings.today or datetime.now(UTC).date()


def display_path(path: Path) -> str:
    """Return ``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
