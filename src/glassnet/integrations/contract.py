"""What the scikit-learn estimators need that scikit-learn does not give: fitting that changes nothing when it
fails, and whether a validation split can be stratified."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

Array = np.ndarray
Method = TypeVar("Method", bound=Callable[..., Any])


def unchanged_on_error(method: Method) -> Method:
    """``method`` (an estimator's fit or partial_fit) that, when it raises, leaves the estimator's attributes as they
    were: a refused or failed fit does not leave a half-fitted estimator behind (a new network beside the old
    classes, say). Training that had begun keeps the weights partial_fit's epoch gave its network."""

    @functools.wraps(method)
    def keeping(self: Any, *args: Any, **kwargs: Any) -> Any:
        before = dict(self.__dict__)
        try:
            return method(self, *args, **kwargs)
        except BaseException:  # (Ctrl-C too: an interrupted fit leaves no mix of old and new)
            self.__dict__ = before  # (in one step, which a second Ctrl-C cannot cut in two)
            raise

    return keeping  # type: ignore[return-value]


def can_stratify(labels: Array, fraction: float) -> bool:
    """Whether both parts of a ``fraction`` split can hold every class (each has two rows or more)."""
    n_val, n_classes = math.ceil(fraction * len(labels)), labels.max() + 1
    return np.bincount(labels).min() >= 2 and min(n_val, len(labels) - n_val) >= n_classes
