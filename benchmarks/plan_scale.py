"""Measure the offline plan at 10 to 3,000 learners against a flat baseline program.

Run with ``make benchmark`` (or ``python benchmarks/plan_scale.py --sizes 10 100``).
Every measurement runs in its own child process, so one run's heap, caches
and garbage cannot leak into the next. Time is wall-clock seconds of
``run_program`` alone, after imports. Memory is the growth of the child's
peak resident set size (``ru_maxrss``) across that call. ``tracemalloc``
was not used because it slows allocation-heavy code several times over and
misses memory that protobuf and gRPC allocate in C.

The baseline (``benchmarks/baseline/__main__.py``) replays the custom
resources the real program registered at the same size, on the same mock
engine, so both programs declare the same types, names and inputs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from benchmarks.rosters import write_roster  # noqa: E402

BASELINE_DIR = PROJECT_DIR / "benchmarks" / "baseline"
EXAMPLE_STACK = PROJECT_DIR / "Pulumi.example.yaml"
DEFAULT_SIZES = (10, 100, 1000, 3000)
VALIDATION_SIZE = 3000
VALIDATION_REPEATS = 5
# Larger rosters run once per program: one run at 3,000 learners takes about a minute.
REPEAT_LIMIT = 1000
WARM_MODULES = (
    *(f"pulumi_aws.{name}" for name in ("organizations", "budgets", "cloudwatch", "sns", "iam", "ssoadmin")),
    "pulumi_aws.identitystore",
    "components.access",
    "components.guardrails",
    "components.learner",
    "components.organization",
    "components.spend",
    "vending.guardrails",
)


@dataclass
class Measurement:
    program: str
    learners: int
    active: int
    resources: int
    per_active: int
    seconds: float
    cpu_seconds: float
    peak_kib: int


def _warm_imports() -> None:
    """Import everything either program uses, so neither run pays for imports."""
    for module in WARM_MODULES:
        importlib.import_module(module)


def _peak_kib() -> int:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_run(program: str, roster: Path, spec: Path) -> dict[str, Any]:
    """Run one program once in this process and return its measurement."""
    from vending.mockrun import OfflineMocks, run_program
    from vending.plan import PlanInputs, engine_config, roster_user_names

    _warm_imports()
    settings, roster_model, config = engine_config(
        PlanInputs(project_dir=PROJECT_DIR, stack_file=EXAMPLE_STACK, roster=roster)
    )
    mocks = OfflineMocks(user_names=roster_user_names(roster_model))
    program_dir = PROJECT_DIR if program == "ours" else BASELINE_DIR
    if program == "baseline":
        config = {**config, "baseline:spec": str(spec)}
    today = settings.today_or(date.today())
    active = [learner.id for learner in roster_model.learners if learner.effective_status(today) == "active"]

    before = _peak_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    run = run_program(program_dir, config, mocks)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    peak = _peak_kib() - before

    if program == "ours":
        spec.write_text(json.dumps(_replay_spec(run.registrations)), encoding="utf-8")
    return {
        "program": program,
        "learners": len(roster_model.learners),
        "active": len(active),
        "resources": len(run.registrations),
        "per_active": max_learner_resources(run, active) if program == "ours" else 0,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_kib": peak,
    }


def max_learner_resources(run: Any, learner_ids: list[str]) -> int:
    """Return the most resources one learner's ``LearnerSandbox`` holds, counting the component itself."""
    from vending import names

    counts = [
        1 + len(run.children_of(run.by_name(names.learner_component(learner_id), names.LEARNER_TYPE)))
        for learner_id in learner_ids
    ]
    return max(counts, default=0)


def _replay_spec(registrations: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "type": item.type,
            "name": item.name,
            "urn": item.urn,
            "id": item.id,
            "inputs": item.inputs,
            "outputs": {key: value for key, value in item.outputs.items() if key not in item.inputs},
            "protect": item.protect,
            "ignore_changes": item.ignore_changes,
            "dependencies": item.dependencies,
        }
        for item in registrations
        if item.custom and not item.read
    ]


def child_validate(roster: Path) -> dict[str, Any]:
    """Time ``load_roster`` alone, the best and median of several runs."""
    from vending.roster import load_roster
    from vending.settings import load_stack_file

    settings, _ = load_stack_file(EXAMPLE_STACK)
    times = []
    for _ in range(VALIDATION_REPEATS):
        start = time.perf_counter()
        load_roster(roster, settings)
        times.append(time.perf_counter() - start)
    return {"median": statistics.median(times), "best": min(times)}


def _spawn(*args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True, cwd=PROJECT_DIR
    )
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def measure(
    sizes: list[int], repeats: int, workdir: Path
) -> tuple[list[tuple[Measurement, Measurement]], dict[str, Any]]:
    """Run both programs ``repeats`` times per size, alternating, and keep each one's fastest run.

    The fastest of several runs is the least disturbed by other processes on
    the machine; alternating the programs spreads any disturbance over both.
    """
    pairs = []
    for size in sizes:
        roster = write_roster(workdir / f"roster-{size}.yaml", size)
        spec = workdir / f"spec-{size}.json"
        runs: dict[str, list[Measurement]] = {"ours": [], "baseline": []}
        for _ in range(repeats if size <= REPEAT_LIMIT else 1):
            for program in ("ours", "baseline"):
                runs[program].append(Measurement(**_spawn(program, str(roster), str(spec))))
        ours, baseline = (min(runs[program], key=lambda item: item.seconds) for program in ("ours", "baseline"))
        pairs.append((ours, baseline))
        print(f"measured {size} learners", file=sys.stderr, flush=True)
    roster = write_roster(workdir / f"roster-{VALIDATION_SIZE}.yaml", VALIDATION_SIZE)
    validation = _spawn("validate", str(roster), "-")
    return pairs, validation


def render(pairs: list[tuple[Measurement, Measurement]], validation: dict[str, Any]) -> str:
    """Format the measurements as a Markdown table followed by the validation time."""
    columns = [
        "learners",
        "active",
        "program",
        "resources",
        "per learner",
        "max per active learner",
        "seconds",
        "CPU seconds",
        "ms per learner",
        "peak MiB",
        "time ratio",
        "memory ratio",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for ours, baseline in pairs:
        for item in (ours, baseline):
            ratios = ["", ""]
            if item is ours:
                ratios = [_ratio(ours.seconds, baseline.seconds), _ratio(ours.peak_kib, baseline.peak_kib)]
            cells = [
                f"{item.learners:,}",
                f"{item.active:,}",
                item.program,
                f"{item.resources:,}",
                f"{item.resources / item.learners:.2f}",
                str(item.per_active) if item is ours else "",
                f"{item.seconds:.2f}",
                f"{item.cpu_seconds:.2f}",
                f"{1000 * item.seconds / item.learners:.1f}",
                f"{item.peak_kib / 1024:.1f}",
                *ratios,
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"Validation of a {VALIDATION_SIZE:,}-learner roster (load_roster, {VALIDATION_REPEATS} runs): "
        f"median {validation['median']:.3f} s, best {validation['best']:.3f} s"
    )
    return "\n".join(lines)


def _ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}" if baseline else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="roster sizes in learners")
    parser.add_argument("--repeats", type=int, default=3, help=f"runs per program up to {REPEAT_LIMIT} learners")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "ROSTER", "SPEC"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, roster, spec = args.child
        result = child_validate(Path(roster)) if mode == "validate" else child_run(mode, Path(roster), Path(spec))
        print(json.dumps(result))
        return 0
    with tempfile.TemporaryDirectory(prefix="plan-scale-") as workdir:
        pairs, validation = measure(args.sizes, args.repeats, Path(workdir))
    print(render(pairs, validation))
    return 0


if __name__ == "__main__":
    sys.exit(main())
