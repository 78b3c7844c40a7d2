"""moto fixtures shared with the other test folders that call AWS."""

from tests.vending.aws_fixtures import *  # noqa: F403
