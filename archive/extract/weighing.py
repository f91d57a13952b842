"""Choosing a field's value among candidates by weighed evidence instead of a stack of rules.

Every source of a page proposes candidates (the schema.org headline, the social title, the first <h1> …);
each candidate carries features (which sources agree on it, whether it holds another candidate, how long
it is …), and the candidate with the highest linear score wins. The weights are a conditional logit model
(a softmax over one page's candidates) fitted on the development pages by `fit`, shipped with the package
in `weights.json` and loaded with no download. `scripts/fit_extraction` refits them; `scripts/eval_extraction`
refits them once per publisher with that publisher's pages left out, so that no page is scored by weights
learned from its own publisher.

Plain Python: a few hundred pages and a few dozen features need no numerical library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Generic, TypeVar

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
V = TypeVar("V")


@dataclass
class Candidate(Generic[V]):
    """A value one or more sources propose, its evidence (the first proposer's rule) and its features."""

    value: V
    rule: str
    features: dict[str, float] = field(default_factory=dict)


Weights = Mapping[str, float]


def score(candidate: Candidate[V], weights: Weights) -> float:
    return sum(weights.get(name, 0.0) * value for name, value in candidate.features.items())


def choose(candidates: Sequence[Candidate[V]], weights: Weights) -> Candidate[V] | None:
    """The best-scoring candidate (the first of equals, so that source order breaks ties)."""
    best: Candidate[V] | None = None
    best_score = -math.inf
    for candidate in candidates:
        value = score(candidate, weights)
        if value > best_score:
            best, best_score = candidate, value
    return best


@dataclass(frozen=True)
class Example:
    """One page's candidates for a field, and which of them are right (indices)."""

    features: Sequence[Mapping[str, float]]
    correct: frozenset[int]


def fit(
    examples: Sequence[Example], *, l2: float = 0.05, steps: int = 200, rate: float = 0.5
) -> dict[str, float]:
    """Weights that maximise the probability of the right candidates (a softmax over each page's
    candidates), with an L2 penalty; pages with no right candidate teach nothing and are skipped.
    Deterministic: full-batch gradient ascent from zero."""
    usable = [example for example in examples if example.correct and len(example.features) > 1]
    names = sorted({name for example in usable for features in example.features for name in features})
    weights = dict.fromkeys(names, 0.0)
    if not usable:
        return weights
    for _ in range(steps):
        gradient = {name: -l2 * weight for name, weight in weights.items()}
        for example in usable:
            scores = [sum(weights[n] * v for n, v in features.items()) for features in example.features]
            top = max(scores)
            exp = [math.exp(s - top) for s in scores]
            total = sum(exp)
            right = sum(exp[i] for i in example.correct)
            for index, features in enumerate(example.features):
                # d/dw log(sum over right of p) = E[x | right] - E[x]
                share = (exp[index] / right if index in example.correct else 0.0) - exp[index] / total
                if share:
                    for name, value in features.items():
                        gradient[name] += share * value
        for name in names:
            weights[name] += rate * gradient[name] / len(usable)
    return {name: round(weight, 4) for name, weight in weights.items()}


@cache
def shipped_weights() -> dict[str, dict[str, float]]:
    """Every field's weights as shipped (`weights.json`), read once per process."""
    loaded = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    return {name: dict(values) for name, values in loaded["fields"].items()}


def weights_for(field_name: str) -> dict[str, float]:
    return shipped_weights().get(field_name, {})
