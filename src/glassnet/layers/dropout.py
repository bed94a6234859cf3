"""``Dropout``: while learning, each value is set to zero with probability ``rate`` (Srivastava et al., 2014).

Inverted dropout: the values kept are divided by (1 - rate), so a unit's expected output is the same in
training and in use; ``predict``, ``evaluate`` and validation pass values through unchanged. The masks are
drawn from the network's seeded generator, the one that shuffles the batches, so a run is repeatable and a
resumed run draws the same masks as an uninterrupted one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..constraints import check
from .base import Arrays, Layer, shape_text

Array = np.ndarray


class Dropout(Layer):
    """a = x * mask / (1 - rate) in training, with mask 0 (probability ``rate``) or 1; a = x otherwise.

    Backward: dL/dx = dL/da * mask / (1 - rate), the same mask: a dropped value had no effect on the loss.
    """

    name = "dropout"
    uses_rng = True
    batched = True  # the mask takes the shape of its input, members and all

    def __init__(self, rate: float) -> None:
        self.rate = check("rate", rate, "Dropout rate")
        self.mask: Array | None = None  # the scaled mask of the last training step, or None
        self.rng: np.random.Generator | None = None

    def config(self) -> dict[str, Any]:
        return {"rate": self.rate}

    def summary(self) -> str:
        return f"dropout {self.rate:g}"

    def attach(self, arrays: Arrays, rng: np.random.Generator) -> None:
        super().attach(arrays, rng)
        self.rng = rng

    def forward(self, x: Array, training: bool = False, keep: bool = True) -> Array:
        if not training or not self.rate:
            self.mask = None
            return x
        keep_prob = 1.0 - self.rate
        mask = self.rng.random(x.shape, dtype=x.dtype) < keep_prob
        self.mask = np.multiply(mask, x.dtype.type(1.0 / keep_prob), dtype=x.dtype)
        return x * self.mask

    def backward(self, grad: Array, input_grad: bool = True, pre_activation: bool = False) -> Array | None:
        if not input_grad:
            return None
        return grad if self.mask is None else np.multiply(grad, self.mask, out=grad)

    def onnx(self, graph: Any, x: str) -> str:
        """Identity: an exported model is used for predictions, where dropout passes values through."""
        return graph.node("Identity", [x])

    def traced(self) -> dict[str, Array]:
        return {} if self.mask is None else {"mask": self.mask.copy()}

    def explain_forward(self, k: int, record: Any) -> list[dict]:
        if "mask" not in record.inner:  # (rate 0: no mask is drawn)
            return [{"name": f"a{k}", "formula": f"a{k} = a{k - 1}", "value": record.output,
                     "shapes": f"{shape_text(record.input)} -> {shape_text(record.output)}",
                     "meaning": "Dropout at rate 0 keeps every value: the layer passes them on unchanged."}]
        mask = (record.inner["mask"] > 0).astype(record.output.dtype)
        return [{"name": f"mask{k}", "formula": f"mask{k} = 1 where a uniform random number is below "
                                                f"{1 - self.rate:g}, else 0",
                 "shapes": f"{shape_text(mask)}", "value": mask,
                 "meaning": "Which values this batch keeps: drawn afresh for every batch from the network's seeded "
                            "generator."},
                {"name": f"a{k}", "formula": f"a{k} = a{k - 1} * mask{k} / (1 - {self.rate:g})",
                 "shapes": f"{shape_text(record.input)} * {shape_text(record.input)} -> {shape_text(record.output)}",
                 "value": record.output,
                 "meaning": f"Dropout: each value is kept with probability {1 - self.rate:g} and scaled up to make "
                            "up for the others, or set to 0, afresh for every batch, so no unit can rely on one "
                            "other; predictions use every value unchanged."}]

    def explain_backward(self, k: int, record: Any) -> list[dict]:
        if record.error_below is None:
            return []
        if "mask" not in record.inner:
            return [{"name": f"error{k - 1}", "formula": f"error{k - 1} = error{k}", "value": record.error_below,
                     "shapes": f"{shape_text(record.error)} -> {shape_text(record.error_below)}",
                     "meaning": "Every value reached the loss unchanged, so each passes its error back unchanged."}]
        return [{"name": f"error{k - 1}", "formula": f"error{k - 1} = error{k} * mask{k} / (1 - {self.rate:g})",
                 "shapes": f"{shape_text(record.error)} * {shape_text(record.error)} -> "
                           f"{shape_text(record.error_below)}",
                 "value": record.error_below,
                 "meaning": "A dropped value did not reach the loss, so it gets no blame; the kept ones pass "
                            "their error back, scaled as in the forward pass."}]
