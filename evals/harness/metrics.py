"""The one metrics module: set precision/recall/F1 and ranking MRR/Acc@k.
Each evaluation used to carry its own counters (two already disagreed on
empty sets); these are the definitions every report uses.

Conventions: an empty expected set and an empty answer is a perfect score
(nothing to find, nothing wrongly found); ranks are 1-based, None = not in
the answer at all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass
class SetScore:
    """Precision/recall/F1 accumulated over many questions (micro-averaged)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: Iterable, found: Iterable) -> "SetScore":
        expected, found = set(expected), set(found)
        self.tp += len(expected & found)
        self.fp += len(found - expected)
        self.fn += len(expected - found)
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def rank_of(answer: Sequence, is_right) -> int | None:
    """1-based rank of the first item `is_right(item)` accepts; None if none."""
    for number, item in enumerate(answer, 1):
        if is_right(item):
            return number
    return None


def mrr(ranks: Sequence[int | None], k: int | None = None) -> float:
    """Mean reciprocal rank; ranks past `k` (when given) count as misses."""
    if not ranks:
        return 0.0
    return sum(1 / r for r in ranks if r and (k is None or r <= k)) / len(ranks)


def acc_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions answered within the first `k` (recall@k for one right answer)."""
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r and r <= k) / len(ranks)
