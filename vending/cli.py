"""``sandboxctl``: validate, plan and operate sandbox-vending from the command line.

Each command lives in its own ``vending.commands`` module that exposes
``register(subparsers)``; this module wires them together, configures logging
and maps errors to exit codes (0 success, 1 invalid input or failed check,
2 AWS call failed, 3 unexpected error).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from pulumi.errors import RunError

from vending.errors import VendingError

log = logging.getLogger(__name__)

# Modules under vending.commands, each adding one or more subcommands.
COMMAND_MODULES = (
    "validate",
    "plan",
    "guardrails",
    "preflight",
    "status",
    "imports",
    "unfreeze",
    "expiring",
    "welcome",
    "diff",
    "deployer_policy",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sandboxctl",
        description="Vend and operate AWS sandbox accounts from a YAML roster.",
    )
    parser.add_argument("--debug", action="store_true", help="log debug messages and show tracebacks")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"vending.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        result: int = args.handler(args)
        return result
    except VendingError as error:
        log.debug("%s failed", args.command, exc_info=True)
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except RunError as error:
        # The Pulumi program raises RunError for input a user can fix (on the
        # mock engine too), and its message already names the value and the fix.
        log.debug("%s failed", args.command, exc_info=True)
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of stdout went away (for example `| head`); nothing left to report.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            raise
        log.exception("unexpected error in %s", args.command)
        return 3


if __name__ == "__main__":
    sys.exit(main())
