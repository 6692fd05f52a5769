"""The cyclic garbage collector's pace for codemeld's long-running processes.

CPython runs a young-generation collection every 700 allocations, and a
full one every 100 of those when the heap has grown by a quarter. A huge
answer allocates hundreds of thousands of short-lived objects (impact on
`TestCase.assertEqual` builds 14,000 symbols), and in a server holding the
index's caches each full collection walks every live object: on the stdlib,
collections were 40% of that answer's CPU (334 of 841 ms in-process), and
15% of incoming calls'. Collecting every 20,000 allocations instead cut the
collector's share to 40 ms (evals/bench_huge.py measures the answers).
Reference counting still frees everything acyclic at once; only cyclic
garbage waits a little longer (a few megabytes at most).
"""

import gc

YOUNG_THRESHOLD = 20_000  # allocations between young collections (CPython's default: 700)


def tune() -> None:
    """Collect less often (idempotent; keeps the older generations' ratios)."""
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, _young), middle, old)
