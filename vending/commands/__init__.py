"""Subcommands of ``sandboxctl``; each module exposes ``register(subparsers)``."""
