"""Types of the optional compiled accelerator (gutnerve/_speedups.c; see gutnerve/fastline.py)."""

from collections.abc import Callable, Sequence

from gutnerve.workup import PlanKey

LAYOUT: int

# a case's triage as `line` writes it: its level, and each reason as (level, message, trigger, the
# end of its trigger object from ,"basis": on, encoded)
Triaged = tuple[str, tuple[tuple[str, str, str, bytes], ...]]

class Dense:
    def __init__(
        self,
        heads: tuple[bytes, ...],
        middles: tuple[bytes, ...],
        ends: tuple[bytes, ...],
        findings: tuple[bytes, ...],
        numbers: tuple[bytes, ...],
        fallback: Callable[[float], bytes],
        tests: dict[str, bytes],
        names: dict[str, bytes],
        lines: dict[bool, bytes],
        causes: dict[str, bytes],
        head: bytes,
        tail: bytes,
    ) -> None: ...
    def set_row(self, index: int, weights: tuple[float, ...], entries: tuple[bytes | None, ...], /) -> None: ...
    def add_prior(self, logs: Sequence[float], prior: Sequence[float], factors: tuple[bytes, ...], /) -> int: ...
    def score(
        self, prior: int, present: tuple[int, ...], absent: tuple[int, ...], /
    ) -> tuple[list[float], list[float], list[int]]: ...
    def score_mixed(
        self, prior: int, present: tuple[int, ...], absent: tuple[int, ...], /
    ) -> tuple[list[float], list[float], list[int], list[int], list[float]]: ...
    def set_mixtures(self, mixtures: tuple[tuple[int, tuple[int, ...], tuple[float, ...]], ...], /) -> None: ...
    def line(
        self,
        case_id: str | None,
        age: int | None,
        sex: str | None,
        present: tuple[int, ...],
        absent: tuple[int, ...],
        implied: bytes,
        triage: Triaged,
        prior: int,
        rows: tuple[int, ...],
        posterior: list[float],
        order: list[int],
        top: int,
        plan: tuple[PlanKey, ...],
        chosen: list[int] | None = None,
        /,
    ) -> bytes: ...
    def append_line(
        self,
        out: bytearray,
        case_id: str | None,
        age: int | None,
        sex: str | None,
        present: tuple[int, ...],
        absent: tuple[int, ...],
        implied: bytes,
        triage: Triaged,
        prior: int,
        rows: tuple[int, ...],
        posterior: list[float],
        order: list[int],
        top: int,
        plan: tuple[PlanKey, ...],
        chosen: list[int] | None = None,
        /,
    ) -> None: ...
    def set_tests(
        self, cause_ids: tuple[str, ...], test_ids: tuple[str, ...], tests: tuple[tuple[tuple[int, bool], ...], ...], /
    ) -> None: ...
    def gather(self, order: list[int], posterior: list[float], count: int, /) -> list[PlanKey]: ...

def fsum(values: Sequence[float], /) -> float: ...
def raised_total(posterior: list[float], prior: list[float], indices: tuple[int, ...], factor: float, /) -> float: ...
def parts_mass(
    posterior: list[float],
    prior: list[float],
    shares: list[float],
    parts: tuple[tuple[int, int, float, int], ...],
    slots: int,
    factor: float,
    /,
) -> list[float]: ...
