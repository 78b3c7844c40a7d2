"""boto3 client creation, error wrapping and pagination shared by the ``vending.aws`` modules."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from vending.errors import AwsOperationError

log = logging.getLogger(__name__)

# Billing metrics and the Budgets endpoint exist only in us-east-1; Organizations
# is a global service hosted there too.
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html
BILLING_REGION = "us-east-1"
DEFAULT_REGION = "us-east-1"
_RETRIES = Config(retries={"max_attempts": 8, "mode": "adaptive"})


class AwsClients:
    """Create and cache boto3 clients from one session, one client per service and region.

    Tests attach a ``botocore.stub.Stubber`` to ``client(...)`` before the code
    under test runs, because later calls return the same cached client.
    """

    def __init__(self, session: boto3.Session, region: str | None = None) -> None:
        self.session = session
        self.region = region or session.region_name or DEFAULT_REGION
        self._cache: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        if key not in self._cache:
            self._cache[key] = self.session.client(service, region_name=key[1], config=_RETRIES)
        return self._cache[key]

    @property
    def organizations(self) -> Any:
        return self.client("organizations", BILLING_REGION)

    @property
    def budgets(self) -> Any:
        return self.client("budgets", BILLING_REGION)

    @property
    def billing_cloudwatch(self) -> Any:
        return self.client("cloudwatch", BILLING_REGION)

    @property
    def sts(self) -> Any:
        return self.client("sts")

    @property
    def sso_admin(self) -> Any:
        return self.client("sso-admin")


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def aws_call(operation: str, subject: str = "") -> Iterator[None]:
    """Raise ``AwsOperationError`` naming ``operation`` and ``subject`` when a boto3 call inside fails.

    ``operation`` is written as the IAM action (``organizations:ListAccounts``), so
    the message also names the permission that may be missing.
    """
    try:
        yield
    except ClientError as error:
        code = error_code(error)
        message = error.response.get("Error", {}).get("Message", str(error))
        where = f" for {subject}" if subject else ""
        log.debug("%s failed%s: %s", operation, where, code)
        raise AwsOperationError(f"{operation} failed{where}: {code}: {message}") from error
    except BotoCoreError as error:
        where = f" for {subject}" if subject else ""
        raise AwsOperationError(f"{operation} failed{where}: {error}") from error


def paginate(client: Any, method: str, result_key: str, operation: str, subject: str = "",
             **params: Any) -> Iterator[dict[str, Any]]:
    """Yield every item under ``result_key`` across all pages of ``client.<method>(**params)``."""
    with aws_call(operation, subject):
        for page in client.get_paginator(method).paginate(**params):
            yield from page.get(result_key, [])
