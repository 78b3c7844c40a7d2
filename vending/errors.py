"""Exception hierarchy shared by the CLI and the Pulumi program."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One invalid value in an input file, with where it is and how to fix it."""

    file: str
    line: int | None
    location: str
    value: object
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        subject = f" {self.location}:" if self.location else ""
        text = f"{where}:{subject} {self.message}"
        if self.value is not None and self.value != "":
            text += f" (value: {self.value!r})"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class VendingError(Exception):
    """Base of every error a user of sandbox-vending can act on."""

    exit_code = 1


class ValidationError(VendingError):
    """An input file broke one or more rules; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem], subject: str = "input") -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.location))
        self.subject = subject
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        header = f"{self.subject} is invalid: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([header, *(f"  {problem}" for problem in self.problems)])


class GuardrailError(VendingError):
    """The guardrail catalog or selection cannot be compiled within the SCP quotas."""


class LifecycleError(VendingError):
    """A roster change would suspend or close more accounts than the stack config allows."""


class AwsOperationError(VendingError):
    """A read or write through boto3 failed; the message names the call and the ids involved."""

    exit_code = 2
