"""Find the base roster and stack config of ``sandboxctl diff``: a file, or a git ref read with ``git show``."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path

from vending.errors import VendingError
from vending.settings import load_stack_file

log = logging.getLogger(__name__)


class DiffInputError(VendingError):
    """The base of a diff cannot be read: not a file, not a git ref, or a path missing at that ref."""


@dataclass(frozen=True)
class BaseInputs:
    roster: Path
    stack_file: Path
    label: str


def resolve_base(
    ref_or_file: str, project_dir: Path, head_stack_file: Path, base_stack_file: Path | None, workdir: Path
) -> BaseInputs:
    """Return the base roster and stack config, writing files read from a git ref into ``workdir``.

    A path to an existing file is taken as the base roster. Anything else must
    name a commit: the stack config (``head_stack_file``'s path, unless
    ``base_stack_file`` is given) and the roster it names are read at that commit.
    """
    candidate = Path(ref_or_file)
    if candidate.is_file():
        return BaseInputs(candidate, base_stack_file or head_stack_file, str(candidate))
    commit = _git(project_dir, "rev-parse", "--verify", "--quiet", f"{ref_or_file}^{{commit}}", check=False)
    if not commit:
        raise DiffInputError(
            f"--base {ref_or_file!r} is neither an existing file nor a git ref in {project_dir}; "
            "give a roster file or a ref such as origin/main (fetch it first, e.g. checkout with fetch-depth 0)"
        )
    top = Path(_git(project_dir, "rev-parse", "--show-toplevel"))
    if base_stack_file is None:
        stack_file = _show(project_dir, top, ref_or_file, head_stack_file, workdir / "base-stack.yaml")
        if stack_file is None:
            log.warning("%s does not exist at %s; the base uses the current stack config", head_stack_file, ref_or_file)
            stack_file = head_stack_file
    else:
        stack_file = base_stack_file
    settings, _ = load_stack_file(stack_file)
    roster_file = project_dir / settings.roster_path
    roster = _show(project_dir, top, ref_or_file, roster_file, workdir / "base-roster.yaml")
    if roster is None:
        raise DiffInputError(
            f"the roster {settings.roster_path} does not exist at {ref_or_file}; "
            "give the base roster as a file with --base FILE"
        )
    return BaseInputs(roster, stack_file, ref_or_file)


def _show(project_dir: Path, top: Path, ref: str, path: Path, target: Path) -> Path | None:
    """Write ``path`` as it is at ``ref`` to ``target``; return None when the ref has no such file."""
    try:
        relative = path.resolve().relative_to(top.resolve())
    except ValueError:
        raise DiffInputError(f"{path} is outside the git repository {top}; give it with --base FILE") from None
    result = subprocess.run(
        ["git", "-C", str(project_dir), "show", f"{ref}:{relative.as_posix()}"],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        log.debug("git show %s:%s failed: %s", ref, relative, result.stderr.decode(errors="replace").strip())
        return None
    target.write_bytes(result.stdout)
    return target


def _git(project_dir: Path, *args: str, check: bool = True) -> str:
    try:
        result = subprocess.run(["git", "-C", str(project_dir), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise DiffInputError("git is not installed; give the base roster as a file with --base FILE") from None
    if check and result.returncode != 0:
        raise DiffInputError(f"git {' '.join(args)} failed in {project_dir}: {result.stderr.strip()}")
    return result.stdout.strip() if result.returncode == 0 else ""
