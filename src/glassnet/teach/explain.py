"""One training step, narrated: every array that ``fit`` computes for one batch, in order.

``explain(net, X, y)`` runs one step of ``fit`` (forward pass, loss, backward pass, update) on a
copy of ``net`` through the library's own code (``Network.compute_gradients`` with its trace hook, then
the optimizer's ``step``) and records what it sees. Each layer narrates its own part (``Layer.explain_forward``,
``explain_backward``, ``explain_gradient``); for a Dense layer k with input a[k-1]:
    z[k] = a[k-1] . W[k] + b[k],  a[k] = f(z[k]);   delta[k] = dL/dz[k] = error[k] * f'(z[k]),
    error[k-1] = delta[k] . W[k]^T,  grad W[k] = a[k-1]^T . delta[k];  then the optimizer's update.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass, field

import numpy as np

from .. import optimizers
from ..errors import InputError
from ..layers import Dense, Layer
from ..layers.base import shape_text as shape
from ..losses import Loss
from ..network import Network

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class Step:
    """One computation: its name, formula, the tutorial's NumPy line (if any), shapes, result and meaning."""

    name: str
    phase: str  # forward, loss, backward or update
    formula: str
    shapes: str
    value: Array
    meaning: str
    numpy: str = ""


@dataclass
class LayerRecord:
    """What one step computed in one layer, copied: its input a[k-1] and output a[k], the gradient it received
    (``error`` = dL/da[k]; for the output layer of a fused loss, dL/dz[k]), the gradient it sent below (None
    for the first layer), its parameters' gradients before and values after the update, and its own arrays."""

    input: Array
    output: Array
    error: Array
    error_below: Array | None
    grads: dict[str, Array]
    inner: dict[str, Array]
    last: bool
    fused: bool
    after: dict[str, Array] = field(default_factory=dict)


def explain(net: Network, X: object, y: object, loss: str | Loss | None = None,
            optimizer: str | optimizers.Optimizer | None = None, tutorial: bool = False) -> list[Step]:
    """Run one full-batch training step of ``fit`` on a copy of ``net`` and return its steps.

    Loss and optimizer default as in ``fit`` (the network's own, else mse and Adam); ``net`` is not
    changed. ``tutorial=True`` names the steps as the classic tutorial does (l0, l1, l2_error, ...,
    syn0) and gives errors and deltas its sign (y - a, where gradient descent uses a - y); it needs the
    tutorial's setting: sigmoid layers without biases, the sse loss and plain SGD with lr = 1.
    """
    work = net.copy()
    work.configure(loss, copy.deepcopy(optimizer), None)  # a given optimizer is left unused
    if tutorial:
        _check_tutorial(work)
    X, Y = work.check_data(X, y)
    seen: dict[tuple[str, int], Array] = {}

    def hook(kind: str, index: int, array: Array) -> None:
        seen[kind, index] = array.copy()  # the core overwrites these buffers right after

    n = len(work.layers)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        loss_value, _ = work.compute_gradients(X, Y, trace=hook)
        records = [LayerRecord(input=seen["output", i - 1] if i else X, output=seen["output", i],
                               error=seen["grad", i], error_below=seen["grad", i - 1] if i else None,
                               grads={k: g.copy() for k, (_, g) in work.layer_parameters(i).items()},
                               inner=layer.traced(),
                               last=i == n - 1, fused=bool(work.loss.fused) and i == n - 1)
                   for i, layer in enumerate(work.layers)]
        work.optimizer.step(work.parameters())
    for i, record in enumerate(records):
        record.after = {k: v.copy() for k, (v, _) in work.layer_parameters(i).items()}
    trace = _Trace(work, Y, records, float(loss_value))
    return trace.tutorial_steps() if tutorial else trace.steps()


def _check_tutorial(net: Network) -> None:
    opt = net.optimizer
    plain_sgd = (isinstance(opt, optimizers.SGD) and opt.lr == 1 and not opt.momentum and not opt.weight_decay
                 and opt.clipnorm is None)
    tutorial_layers = all(isinstance(layer, Dense) and layer.activation.name == "sigmoid" and not layer.use_bias
                          for layer in net.layers)
    if not (plain_sgd and tutorial_layers and net.loss.name == "sse"):
        raise InputError("tutorial names need the tutorial's setting: sigmoid layers without biases, "
                         "loss 'sse' and SGD(lr=1.0) without momentum, weight decay or clipping")


class _Trace:
    """Turns the records into Steps (layers are numbered from 1, a0 is the input)."""

    def __init__(self, net: Network, Y: Array, records: list[LayerRecord], loss_value: float) -> None:
        self.net, self.Y, self.records, self.loss_value = net, Y, records, loss_value
        self.rows = len(Y)
        self.n = len(net.layers)

    def layer(self, k: int) -> Layer:
        return self.net.layers[k - 1]

    def record(self, k: int) -> LayerRecord:
        return self.records[k - 1]

    def _steps(self, phase: str, notes: list[dict]) -> list[Step]:
        return [Step(phase=phase, **note) for note in notes]

    # --- the library's names -----------------------------------------------------------

    def steps(self) -> list[Step]:
        x = self.records[0].input
        out = [Step("a0", "forward", "a0 = x", shape(x), x,
                    f"The input: {self.rows} rows (examples) of {x.shape[1]} features each.")]
        for k in range(1, self.n + 1):
            out += self._steps("forward", self.layer(k).explain_forward(k, self.record(k)))
        out += self.loss_steps()
        for k in range(self.n, 0, -1):
            out += self._steps("backward", self.layer(k).explain_backward(k, self.record(k)))
        for k in range(self.n, 0, -1):
            out += self._steps("backward", [self.layer(k).explain_gradient(k, name, self.record(k))
                                            for name in self.record(k).grads])
        for k in range(self.n, 0, -1):
            decays = {p.name: p.decay for p in self.layer(k).params()}
            out += [self.update(f"{self.layer(k).symbol(name)}{k}", value, decays[name])
                    for name, value in self.record(k).after.items()]
        return out

    def loss_steps(self) -> list[Step]:
        top = self.record(self.n)
        a, loss = top.output, self.net.loss
        grad_text = loss.gradient.format(size=a.size, rows=self.rows)
        out = [Step("loss", "loss", f"{loss.formula}, with a = a{self.n}",
                    f"{shape(a)}, {shape(self.Y)} -> ()", np.array(self.loss_value),
                    f"One number for how wrong the {self.rows} rows of output are ({loss.name}); "
                    "training makes it smaller.")]
        if not top.fused:
            formula = f"error{self.n} = dL/da{self.n} = {grad_text}, with a = a{self.n}"
            out.append(Step(f"error{self.n}", "loss", formula, f"{shape(a)} - {shape(self.Y)} -> {shape(a)}",
                            top.error,
                            "How the loss changes as each output grows: positive where an output is too high."))
        else:
            out.append(Step(f"delta{self.n}", "loss", f"delta{self.n} = dL/dz{self.n} = {grad_text}",
                            f"{shape(a)} - {shape(self.Y)} -> {shape(a)}", top.error,
                            f"With {loss.fused} outputs and this loss, the chain rule simplifies to output minus "
                            "target: how much each output unit's sum should fall."))
        return out

    def update(self, name: str, new: Array, decay: bool) -> Step:
        opt = self.net.optimizer
        return Step(name, "update", f"{name} <- {opt.update_formula(name, decay)}", f"{shape(new)} -> {shape(new)}",
                    new, f"{opt.name}: each value moves {opt.moves}, downhill on the loss.")

    # --- the tutorial's names ----------------------------------------------------------

    def tutorial_steps(self) -> list[Step]:
        """l0 .. ln, ln_error, ln_delta, ..., l1_delta, syn(n-1) .. syn0, in the tutorial's sign."""
        x = self.records[0].input
        out = [Step("l0", "forward", "l0 = X", shape(x), x,
                    f"The input: {self.rows} rows (examples) of {x.shape[1]} values; in the "
                    "tutorial's data the last column is always 1 and plays the part of a bias.", "l0 = X")]
        for k in range(1, self.n + 1):
            r = self.record(k)
            out.append(Step(f"l{k}", "forward", f"l{k} = sigmoid(l{k - 1} . syn{k - 1})",
                            f"{shape(r.input)} . {shape(self.layer(k).weights)} -> {shape(r.output)}", r.output,
                            "The network's guesses, one per row, between 0 and 1." if k == self.n else
                            f"How strongly each of the {self.layer(k).n_out} hidden units fires for each row, "
                            "between 0 and 1.", f"l{k} = nonlin(np.dot(l{k - 1}, syn{k - 1}))"))
        for k in range(self.n, 0, -1):
            r = self.record(k)
            err, delta = -r.error, -r.inner["delta"]  # the tutorial adds: its signs are flipped
            if k == self.n:
                out.append(Step(f"l{k}_error", "loss", f"l{k}_error = y - l{k}",
                                f"{shape(self.Y)} - {shape(err)} -> {shape(err)}", err,
                                "How far each guess is from its target: positive where it should go up.",
                                f"l{k}_error = y - l{k}"))
            else:
                w = self.layer(k + 1).weights
                out.append(Step(f"l{k}_error", "backward", f"l{k}_error = l{k + 1}_delta . syn{k}^T",
                                f"{shape(self.record(k + 1).inner['delta'])} . {shape(w.T)} -> "
                                f"{shape(err)}", err,
                                f"Each hidden unit's share of the blame: layer {k + 1}'s deltas sent back through "
                                "the weights that carried its signal.", f"l{k}_error = l{k + 1}_delta.dot(syn{k}.T)"))
            out.append(Step(f"l{k}_delta", "backward", f"l{k}_delta = l{k}_error * l{k} * (1 - l{k})",
                            f"{shape(err)} * {shape(err)} -> {shape(err)}", delta,
                            "The error times the sigmoid's slope: units that are sure (near 0 or 1) change little, "
                            "unsure ones (near 0.5) change most.",
                            f"l{k}_delta = l{k}_error * nonlin(l{k}, deriv=True)"))
        for k in range(self.n, 0, -1):
            r = self.record(k)
            new = r.after["weights"]
            out.append(Step(f"syn{k - 1}", "update", f"syn{k - 1} = syn{k - 1} + l{k - 1}^T . l{k}_delta",
                            f"{shape(r.input.T)} . {shape(r.inner['delta'])} -> {shape(new)}", new,
                            "Each weight moves by its input times the delta of the unit it feeds, summed over the "
                            "rows: one step of gradient descent with learning rate 1.",
                            f"syn{k - 1} += l{k - 1}.T.dot(l{k}_delta)"))
        return out


def render(steps: list[Step], index: int | None = None) -> str:
    """Steps as text for people; with ``index``, only that step (numbered from 0)."""
    chosen = range(len(steps)) if index is None else [index]
    return "\n".join(_render_one(steps[i], i, len(steps)) for i in chosen)


def _render_one(step: Step, i: int, total: int) -> str:
    lines = [f"[{i + 1}/{total}] {step.name}  ({step.phase})", f"  formula  {step.formula}"]
    if step.numpy:
        lines.append(f"  numpy    {step.numpy}")
    lines.append(f"  shapes   {step.shapes}")
    lines += textwrap.wrap(step.meaning, 100, initial_indent="  meaning  ", subsequent_indent=" " * 11)
    lines += ["  value" + (f"    {format_array(step.value)}" if step.value.ndim == 0 else "")]
    if step.value.ndim:
        lines += ["    " + line for line in format_array(step.value).splitlines()]
    return "\n".join(lines) + "\n"


SMALL = 64  # arrays with at most this many numbers are printed in full


def format_array(a: Array) -> str:
    """Rounded numbers: the whole array when small, else a summary and its corners."""
    if a.ndim == 0:
        return f"{float(a):.6g}"
    text = np.array2string(a, precision=4, suppress_small=True, threshold=SMALL, edgeitems=3, max_line_width=100)
    if a.size <= SMALL:
        return text
    return (f"{a.size} numbers, shape {shape(a)}: min {a.min():.4g}, mean {a.mean():.4g}, max {a.max():.4g}, "
            f"mean |x| {np.abs(a).mean():.4g}\n{text}")
