"""Wait until a new member account accepts sts:AssumeRole into its access role.

CreateAccount can report success while the account is still being set up,
and AWS documents that it may take a few minutes before the account can be accessed
(Organizations API reference, CreateAccount:
https://docs.amazonaws.cn/en_us/organizations/latest/APIReference/API_CreateAccount.html).
Until then AssumeRole into the role Organizations creates there fails with
AccessDenied. ``wait_until_assumable`` retries exactly that error with
backoff until the role can be assumed or the timeout passes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from vending.errors import AwsOperationError

log = logging.getLogger(__name__)

# The error a new account's role returns until it is usable. Any other error is final.
RETRYABLE_CODES = frozenset({"AccessDenied"})
SESSION_NAME = "sandbox-vending-readiness"
# The shortest session STS issues; the credentials are discarded at once.
SESSION_SECONDS = 900
FIRST_DELAY_SECONDS = 5.0
MAX_DELAY_SECONDS = 30.0


def wait_until_assumable(
    sts: Any,
    role_arn: str,
    timeout_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Call sts:AssumeRole on ``role_arn`` until it succeeds, and return the number of attempts.

    Raises ``AwsOperationError`` on an error other than AccessDenied, or when
    AccessDenied persists past ``timeout_seconds``.
    """
    deadline = clock() + timeout_seconds
    delay = FIRST_DELAY_SECONDS
    attempt = 0
    while True:
        attempt += 1
        try:
            sts.assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME, DurationSeconds=SESSION_SECONDS)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code not in RETRYABLE_CODES:
                raise AwsOperationError(f"sts:AssumeRole on {role_arn} failed: {error}") from error
            if clock() + delay > deadline:
                raise AwsOperationError(
                    f"sts:AssumeRole on {role_arn} was still denied after {attempt} attempts in "
                    f"{timeout_seconds / 60:g} minutes: {error}. The account may still be initialising: "
                    "run pulumi up again later, or raise sandbox-vending:accountReadyTimeoutMinutes"
                ) from error
            log.info(
                "account role %s not assumable yet (attempt %d, %s); retrying in %gs", role_arn, attempt, code, delay
            )
            sleep(delay)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
            continue
        log.info("account role %s assumable after %d attempt(s)", role_arn, attempt)
        return attempt
