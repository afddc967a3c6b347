"""Write a synthetic knowledge base of any size, for scale benchmarks only.

    python benchmarks/synthetic_kb.py OUT_DIR [--causes 2000] [--findings 1000] [--links 15] [--seed 1]

It is a valid knowledge base (`gutnerve kb validate OUT_DIR` passes) with
made-up causes and findings: random frequencies, priors, red flags and
workups drawn from a seeded generator. It has no medical meaning at all; its
sources point at example.org. model.yaml and tests.yaml are copied from the
shipped knowledge base.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

CATEGORIES = ("neuropathic", "musculoskeletal", "gastrointestinal", "systemic", "history", "course")
TERMS = ("very-frequent", "frequent", "occasional", "very-rare")
PREVALENCE = ("very-common", "common", "uncommon", "rare", "very-rare")
LEVELS = ("emergency", "urgent", "soon", "routine")
# every VIA_EVERY-th cause lists its third finding `via` its fourth, so scoring's screening of
# such links is exercised at scale too
VIA_EVERY = 5


def finding_id(number: int) -> str:
    return f"synthetic-finding-{number:04d}"


def write(out: Path, causes: int, findings: int, links: int, seed: int) -> None:
    from gutnerve.knowledge import default_path

    rng = random.Random(seed)
    shipped = default_path()
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(shipped / "model.yaml", out / "model.yaml")
    shutil.copy(shipped / "tests.yaml", out / "tests.yaml")
    mechanisms = list(yaml.safe_load((shipped / "model.yaml").read_text())["mechanisms"])
    tests = [test["id"] for test in yaml.safe_load((shipped / "tests.yaml").read_text())["tests"]]
    lines = ["findings:"]
    for number in range(findings):
        fid = finding_id(number)
        lines += [
            f"  - id: {fid}",
            f"    label: Synthetic finding {number}",
            f"    meaning: synthetic finding number {number}",
            f'    question: "Do you have synthetic finding {number}?"',
            f"    category: {CATEGORIES[number % len(CATEGORIES)]}",
            f'    synonyms: ["synthetic {number}"]',
            f"    background: {rng.choice((0.02, 0.05, 0.1, 0.2, 0.3))}",
            "    background_basis: judgement",
        ]
        if number % 97 == 0:
            lines.append(
                f'    red_flag: {{level: urgent, message: "Synthetic red flag {number}.", basis: judgement, note: synthetic}}'
            )
    (out / "findings.yaml").write_text("\n".join(lines) + "\n")
    folder = out / "causes"
    folder.mkdir(exist_ok=True)
    for number in range(causes):
        cid = f"synthetic-cause-{number:04d}"
        chosen = rng.sample(range(findings), links)
        body = [
            f"id: {cid}",
            f"name: Synthetic cause {number}",
            "summary: A synthetic cause for scale benchmarks. It has no medical meaning.",
            f"mechanism: {rng.choice(mechanisms)}",
            "mechanism_detail: Synthetic.",
            "gut_link: Synthetic.",
            "area: synthetic",
            "severity: synthetic",
            "course: synthetic",
            f"urgency: {rng.choice(LEVELS)}",
            "prior:",
            f"  prevalence: {rng.choice(PREVALENCE)}",
            "  basis: synthetic",
            "  age:",
            f"    - {{min: {rng.randint(16, 80)}, factor: 1.5}}",
            "findings:",
        ]
        for place, fnum in enumerate(chosen):
            entry = f"frequency: {rng.choice(TERMS)}, source: judgement"
            if place == 2 and number % VIA_EVERY == 0:  # scored neutral once the next one is settled
                entry += f", via: {finding_id(chosen[3])}, note: synthetic"
            body.append(f"  {finding_id(fnum)}: {{{entry}}}")
        body += [
            "red_flags:",
            f"  - all: [{finding_id(chosen[0])}, {finding_id(chosen[1])}]",
            f"    level: {rng.choice(LEVELS[:3])}",
            "    message: Synthetic combination.",
            "    basis: synthetic-a",
            "workup:",
            "  first_line:",
            *(f"    - {{test: {test}, why: synthetic}}" for test in rng.sample(tests, 2)),
            "  second_line:",
            f"    - {{test: {rng.choice(tests)}, why: synthetic}}",
            "management: Synthetic.",
            "icd10: [R69]",
            "sources:",
            "  synthetic-a: {cite: Synthetic source A, url: 'https://example.org/synthetic/a', supports: nothing}",
            "  synthetic-b: {cite: Synthetic source B, url: 'https://example.org/synthetic/b', supports: nothing}",
        ]
        (folder / f"{cid}.yaml").write_text("\n".join(body) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--causes", type=int, default=2000)
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--links", type=int, default=15, help="findings listed per cause")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write(args.out, args.causes, args.findings, args.links, args.seed)
    print(f"wrote {args.causes} causes x {args.findings} findings to {args.out}")


if __name__ == "__main__":
    main()
