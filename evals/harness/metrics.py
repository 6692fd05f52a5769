"""The one metrics module: set precision/recall/F1 and ranking MRR/Acc@k.
Each evaluation used to carry its own counters (two already disagreed on
empty sets); these are the definitions every report uses.

Conventions: for `SetScore`, an empty expected set and an empty answer is a
perfect score (nothing to find, nothing wrongly found); ranks are 1-based,
None = not in the answer at all. `PerQuestionScore` (reference and impact
accuracy against another tool, per symbol) keeps undefined values undefined
(NaN, printed "-", JSON null) and says which questions a macro average is
over, because the two evaluations using it differ there on purpose."""

from __future__ import annotations

import math
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


def ratio(num: float, den: float) -> float:
    """num / den, NaN when den is 0 (a value that is not defined, not a zero)."""
    return num / den if den else math.nan


@dataclass
class PerQuestionScore:
    """Precision/recall of a found set against an expected ("gold") set, over
    many questions (one per symbol or function): micro (pooled over all
    items) and macro (mean of the per-question values where defined).

    `macro_precision_over` says which questions' precision enters the macro
    mean: "predicted" — every question with a prediction (refs: each symbol
    codemeld answered, whatever pyright said); "expected" — questions with
    expected items and a prediction (impact: a function no test reaches has
    no answer to be precise about; one with tests but no prediction counts
    in `empty_pred`). Questions with neither are counted in `both_empty`.
    """

    macro_precision_over: str = "predicted"
    questions: int = 0
    gold: int = 0
    pred: int = 0
    tp: int = 0
    p_sum: float = 0.0
    p_n: int = 0
    r_sum: float = 0.0
    r_n: int = 0
    both_empty: int = 0
    empty_pred: int = 0

    def __post_init__(self) -> None:
        if self.macro_precision_over not in ("predicted", "expected"):
            raise ValueError(f"macro_precision_over: 'predicted' or 'expected', not {self.macro_precision_over!r}")

    def add(self, gold: set, pred: set) -> None:
        tp = len(gold & pred)
        self.questions += 1
        self.gold += len(gold)
        self.pred += len(pred)
        self.tp += tp
        if gold:
            self.r_sum += tp / len(gold)
            self.r_n += 1
            if not pred:
                self.empty_pred += 1
        if pred and (gold or self.macro_precision_over == "predicted"):
            self.p_sum += tp / len(pred)
            self.p_n += 1
        if not gold and not pred:
            self.both_empty += 1

    def merge(self, other: "PerQuestionScore") -> None:
        for name in self.__dataclass_fields__:
            if name != "macro_precision_over":
                setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def micro_p(self) -> float:
        return ratio(self.tp, self.pred)

    @property
    def micro_r(self) -> float:
        return ratio(self.tp, self.gold)

    @property
    def micro_f1(self) -> float:
        p, r = self.micro_p, self.micro_r
        return ratio(2 * p * r, p + r) if not (math.isnan(p) or math.isnan(r)) else math.nan

    @property
    def macro_p(self) -> float:
        return ratio(self.p_sum, self.p_n)

    @property
    def macro_r(self) -> float:
        return ratio(self.r_sum, self.r_n)

    def figures(self, counts: tuple[str, ...], rates: tuple[str, ...]) -> dict:
        """The named counts as they are and the named rates rounded (None when undefined)."""
        data = {k: getattr(self, k) for k in counts}
        for k in rates:
            value = getattr(self, k)
            data[k] = None if math.isnan(value) else round(value, 4)
        return data


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
