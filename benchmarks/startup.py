"""Start-up cost of gutnerve against a bare Typer app with the same options.

    python benchmarks/startup.py [--runs 21]

The floor of every invocation is Python plus Typer parsing the same options,
so this writes a bare Typer app with exactly the options of `gutnerve assess`
(one --X/--no-X per finding of the shipped knowledge base, plus --age, --sex,
--input, --json, --format, --text, --top, --kb) that only prints what it
parsed. Both programs are run the same way (`python -c` of their entry point,
so both pay the same interpreter start-up), alternating, and the median wall
times are compared:

    json        gutnerve assess --burning-feet --diarrhea --json   vs  bare, same arguments
    table       gutnerve assess --burning-feet --diarrhea          vs  bare, same arguments
    help        gutnerve assess --help                              vs  bare assess --help
    completion  Tab after `gutnerve assess --burn` (bash)           vs  the same for bare

The knowledge-base cache and the byte-code cache are warmed first (a user's
second run onwards; `pip install` byte-compiles the package).
Targets (issue 5): json <= 1.15, table <= 1.35, help and completion <= 1.2.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_APP = """\
import inspect
import json
from typing import Annotated, Optional

import typer

FINDINGS = {findings!r}

app = typer.Typer(add_completion=True, context_settings={{"help_option_names": ["-h", "--help"]}})


@app.callback()
def root(kb: Annotated[Optional[str], typer.Option("--kb")] = None) -> None:
    pass


def assess(ctx: typer.Context, **options):
    given = {{key for key in options if ctx.get_parameter_source(key).name == "COMMANDLINE"}}
    print(json.dumps({{key: value for key, value in options.items() if key in given}}))


params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)] + [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, typer.Option(flag)])
    for name, kind, flag, default in [
        ("age", Optional[int], "--age", None),
        ("sex", Optional[str], "--sex", None),
        ("input", Optional[str], "--input", None),
        ("json_", bool, "--json", False),
        ("format_", Optional[str], "--format", None),
        ("text", Optional[str], "--text", None),
        ("top", Optional[int], "--top", None),
        ("kb", Optional[str], "--kb", None),
    ]
]
for finding in FINDINGS:
    params.append(
        inspect.Parameter(
            "f_" + finding.replace("-", "_"),
            inspect.Parameter.KEYWORD_ONLY,
            default=False,
            annotation=Annotated[bool, typer.Option(f"--{{finding}}/--no-{{finding}}")],
        )
    )
assess.__signature__ = inspect.Signature(params)
app.command("assess")(assess)


@app.command("findings")
def findings() -> None:
    print(FINDINGS)


app(prog_name="bare")
"""

GUTNERVE = [sys.executable, "-c", "from gutnerve.cli import run; run()"]
CASE = ["assess", "--burning-feet", "--diarrhea"]


def scenarios(bare: list[str]) -> dict[str, tuple[list[str], list[str], dict[str, str], dict[str, str]]]:
    """name -> (gutnerve command, bare command, gutnerve extra env, bare extra env)."""

    def completion(prog: str) -> dict[str, str]:
        return {f"_{prog.upper()}_COMPLETE": "complete_bash", "COMP_WORDS": f"{prog} assess --burn", "COMP_CWORD": "2"}

    return {
        "json": ([*GUTNERVE, *CASE, "--json"], [*bare, *CASE, "--json"], {}, {}),
        "table": ([*GUTNERVE, *CASE], [*bare, *CASE], {}, {}),
        "help": ([*GUTNERVE, "assess", "--help"], [*bare, "assess", "--help"], {}, {}),
        "completion": (GUTNERVE, bare, completion("gutnerve"), completion("bare")),
    }


LIMITS = {"json": 1.15, "table": 1.35, "help": 1.2, "completion": 1.2}


def wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each program per scenario (alternating)")
    args = parser.parse_args()
    from gutnerve.knowledge import load

    findings = list(load().findings)  # also warms the knowledge-base cache
    base_env = {k: v for k, v in os.environ.items() if not k.endswith("_COMPLETE") and k not in ("COMP_WORDS", "COMP_CWORD")}
    base_env.pop("GUTNERVE_NO_CACHE", None)
    # as after `pip install`, which byte-compiles the package: let the warm-up runs write
    # __pycache__ (an editable install under PYTHONDONTWRITEBYTECODE=1 would recompile every run)
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare.py"
        script.write_text(BARE_APP.format(findings=findings))
        bare = [sys.executable, str(script)]
        failed = False
        print(f"{'scenario':<11} {'gutnerve':>9} {'bare typer':>11} {'ratio':>6} {'limit':>6}")
        for name, (ours, theirs, our_env, their_env) in scenarios(bare).items():
            ours_env, theirs_env = {**base_env, **our_env}, {**base_env, **their_env}
            wall(ours, ours_env), wall(theirs, theirs_env)  # warm the file system cache
            times: dict[str, list[float]] = {"ours": [], "theirs": []}
            for _ in range(args.runs):
                times["ours"].append(wall(ours, ours_env))
                times["theirs"].append(wall(theirs, theirs_env))
            mine, floor = statistics.median(times["ours"]), statistics.median(times["theirs"])
            ratio = mine / floor
            failed |= ratio > LIMITS[name]
            verdict = "ok" if ratio <= LIMITS[name] else "OVER"
            print(f"{name:<11} {mine * 1000:7.0f}ms {floor * 1000:9.0f}ms {ratio:6.2f} {LIMITS[name]:6.2f} {verdict}")
    print(f"medians of {args.runs} alternating runs each; python {sys.version.split()[0]}, {os.cpu_count()} cores")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
