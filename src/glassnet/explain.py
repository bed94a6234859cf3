"""One training step, narrated: every array that ``fit`` computes for one batch, in order.

``explain(net, X, y)`` runs one step of ``fit`` (forward pass, loss, backward pass, update) on a
copy of ``net`` through the library's own code (``Network.step`` with its trace hook, then the
optimizer's ``step``) and records what it sees: for layer k with input a[k-1],
    z[k] = a[k-1] . W[k] + b[k],  a[k] = f(z[k]);   delta[k] = dL/dz[k] = error[k] * f'(z[k]),
    error[k-1] = delta[k] . W[k]^T,  grad W[k] = a[k-1]^T . delta[k];  then the optimizer's update.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass

import numpy as np

from . import activations, losses, optimizers
from .errors import InputError
from .layers import Dense
from .network import Network

Array = np.ndarray

ACTIVATION_TEXT = {  # name: (forward formula, derivative da/dz)
    "linear": ("{a} = {z}", "1"),
    "sigmoid": ("{a} = 1 / (1 + exp(-{z}))", "{a} * (1 - {a})"),
    "tanh": ("{a} = tanh({z})", "1 - {a}^2"),
    "relu": ("{a} = max({z}, 0)", "1 where {z} > 0, else 0"),
    "leaky_relu": ("{a} = {z} where {z} > 0, else alpha * {z}", "1 where {z} > 0, else alpha"),
    "softmax": ("{a} = exp({z}) / sum(exp({z})) along each row", "the softmax Jacobian"),
}
LOSS_TEXT = {  # name: (value, output error dL/da or, for fused losses, delta dL/dz)
    "sse": ("L = 1/2 * sum((a - y)^2)", "a - y"),
    "mse": ("L = mean((a - y)^2)", "2 * (a - y) / {size}"),
    "mae": ("L = mean(|a - y|)", "sign(a - y) / {size}"),
    "binary_crossentropy": ("L = -mean(y * log(a) + (1 - y) * log(1 - a))", "(a - y) / {size}"),
    "categorical_crossentropy": ("L = -mean over rows of sum(y * log(a))", "(a - y) / {rows}"),
}


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


def shape(a: Array | tuple) -> str:
    """``(4,3)`` for a shape or an array."""
    dims = a if isinstance(a, tuple) else np.shape(a)
    return "(" + ",".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def explain(net: Network, X: object, y: object, loss: str | losses.Loss | None = None,
            optimizer: str | optimizers.Optimizer | None = None, tutorial: bool = False) -> list[Step]:
    """Run one full-batch training step of ``fit`` on a copy of ``net`` and return its steps.

    Loss and optimizer default as in ``fit`` (the network's own, else mse and Adam); ``net`` is not
    changed. ``tutorial=True`` names the steps as the classic tutorial does (l0, l1, l2_error, ...,
    syn0) and gives errors and deltas its sign (y - a, where gradient descent uses a - y); it needs the
    tutorial's setting: sigmoid layers without biases, the sse loss and plain SGD with lr = 1.
    """
    work = _clone(net)
    work._configure(loss, copy.deepcopy(optimizer), None)  # a given optimizer is left unused
    if tutorial:
        _check_tutorial(work)
    X, Y = work._prepare(X, y)
    seen: dict[tuple[str, int], Array] = {}

    def hook(name: str, index: int, array: Array) -> None:
        seen[name, index] = array.copy()  # the core overwrites these buffers right after

    layers = work.layers
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        loss_value, _ = work.step(X, Y, trace=hook)
        outs = [X] + [layer.a.copy() for layer in layers]
        zs = [None] + [layer.z.copy() for layer in layers]
        out_error = None
        if not work.loss.output_activation:  # dL/da of the output, from the loss itself
            out_error = work.loss.delta(Y, layers[-1].a, layers[-1].z, activations.get("linear")).copy()
        grads = [_pair(layer.grad_weights, layer.grad_bias) for layer in layers]
        work.optimizer.step(work.params())
    after = [_pair(layer.weights, layer.bias) for layer in layers]
    trace = _Trace(work, Y, outs, zs, seen, out_error, float(loss_value), grads, after)
    return trace.tutorial_steps() if tutorial else trace.steps()


def _pair(weights: Array, bias: Array | None) -> tuple[Array, Array | None]:
    return weights.copy(), None if bias is None else bias.copy()


def _clone(net: Network) -> Network:
    """A network with the same layers, parameters, loss and optimizer state, sharing no arrays with ``net``."""
    layers = [Dense(layer.n_in, layer.n_out, activation=layer.activation, bias=layer.use_bias, init=layer.init)
              for layer in net.layers]
    clone = Network(layers, init=net.init, seed=net.seed, dtype=net.dtype)
    for source, layer in zip(net.layers, clone.layers):
        layer.weights[...] = source.weights
        if layer.use_bias:
            layer.bias[...] = source.bias
    clone.loss, clone.optimizer = net.loss, copy.deepcopy(net.optimizer)
    if net.metrics:
        clone._set_metrics(list(net.metrics))
    return clone


def _check_tutorial(net: Network) -> None:
    opt = net.optimizer
    plain_sgd = (isinstance(opt, optimizers.SGD) and opt.lr == 1 and not opt.momentum and not opt.weight_decay
                 and opt.clipnorm is None)
    tutorial_layers = all(layer.activation.name == "sigmoid" and not layer.use_bias for layer in net.layers)
    if not (plain_sgd and tutorial_layers and net.loss.name == "sse"):
        raise InputError("tutorial names need the tutorial's setting: sigmoid layers without biases, "
                         "loss 'sse' and SGD(lr=1.0) without momentum, weight decay or clipping")


class _Trace:
    """Turns the recorded arrays into Steps (layers are numbered from 1, a[0] is the input)."""

    def __init__(self, net, Y, outs, zs, seen, out_error, loss_value, grads, after) -> None:
        self.net, self.Y, self.outs, self.zs, self.seen = net, Y, outs, zs, seen
        self.out_error, self.loss_value = out_error, loss_value
        self.grads, self.after = grads, after  # per layer: (weights, bias or None)
        self.rows = len(Y)
        self.n = len(net.layers)

    def layer(self, k: int):
        return self.net.layers[k - 1]

    def delta(self, k: int) -> Array:
        return self.seen["delta", k - 1]

    def error(self, k: int) -> Array:
        return self.out_error if k == self.n else self.seen["error", k - 1]

    # --- the library's names -----------------------------------------------------------

    def steps(self) -> list[Step]:
        out = [Step("a0", "forward", "a0 = x", shape(self.outs[0]), self.outs[0],
                    f"The input: {self.rows} rows (examples) of {self.outs[0].shape[1]} features each.")]
        for k in range(1, self.n + 1):
            out += self.forward(k)
        out += self.loss_steps()
        for k in range(self.n, 0, -1):
            out += self.backward(k)
        for k in range(self.n, 0, -1):
            out += self.gradients(k)
        for k in range(self.n, 0, -1):
            out += self.updates(k)
        return out

    def forward(self, k: int) -> list[Step]:
        layer, a_in, z = self.layer(k), self.outs[k - 1], self.zs[k]
        bias = f" + b{k}" if layer.use_bias else ""
        shapes = f"{shape(a_in)} . {shape(layer.weights)}" + (f" + {shape(layer.bias)}" if layer.use_bias else "")
        name = layer.activation.name
        role = "the network's output" if k == self.n else f"the outputs of hidden layer {k}"
        return [
            Step(f"z{k}", "forward", f"z{k} = a{k - 1} . W{k}{bias}", f"{shapes} -> {shape(z)}", z,
                 f"Each of the {layer.n_out} units of layer {k} adds up its {layer.n_in} inputs times their "
                 f"weights{', plus its bias' if layer.use_bias else ''}, for every row."),
            Step(f"a{k}", "forward", ACTIVATION_TEXT[name][0].format(a=f"a{k}", z=f"z{k}"),
                 f"{name} {shape(z)} -> {shape(z)}", self.outs[k],
                 f"The {name} activation turns each sum into {role}."),
        ]

    def loss_steps(self) -> list[Step]:
        a, loss = self.outs[-1], self.net.loss
        value_text, grad_text = LOSS_TEXT[loss.name]
        grad_text = grad_text.format(size=a.size, rows=self.rows)
        out = [Step("loss", "loss", f"{value_text}, with a = a{self.n}",
                    f"{shape(a)}, {shape(self.Y)} -> ()", np.array(self.loss_value),
                    f"One number for how wrong the {self.rows} rows of output are ({loss.name}); "
                    "training makes it smaller.")]
        if self.out_error is not None:
            formula = f"error{self.n} = dL/da{self.n} = {grad_text}, with a = a{self.n}"
            out.append(Step(f"error{self.n}", "loss", formula,
                            f"{shape(a)} - {shape(self.Y)} -> {shape(a)}", self.out_error,
                            "How the loss changes as each output grows: positive where an output is too high."))
        else:
            act = self.net.layers[-1].activation.name
            out.append(Step(f"delta{self.n}", "loss", f"delta{self.n} = dL/dz{self.n} = {grad_text}",
                            f"{shape(a)} - {shape(self.Y)} -> {shape(a)}", self.delta(self.n),
                            f"With {act} outputs and this loss, the chain rule simplifies to output minus target: "
                            "how much each output unit's sum should fall."))
        return out

    def backward(self, k: int) -> list[Step]:
        out = []
        if k < self.n:
            above = self.layer(k + 1)
            delta_above = self.delta(k + 1)
            out.append(Step(f"error{k}", "backward", f"error{k} = dL/da{k} = delta{k + 1} . W{k + 1}^T",
                            f"{shape(delta_above)} . {shape(above.weights.T)} -> {shape(self.error(k))}",
                            self.error(k),
                            f"Each unit of layer {k} gets its share of the blame: the deltas of layer {k + 1} "
                            "sent back through the same weights."))
        elif self.out_error is None:
            return out  # fused loss: delta of the output was given with the loss
        name = self.layer(k).activation.name
        slope = ACTIVATION_TEXT[name][1].format(a=f"a{k}", z=f"z{k}")
        formula = (f"delta{k} = dL/dz{k} = error{k} * ({slope})" if name != "softmax"
                   else f"delta{k} = dL/dz{k} = a{k} * (error{k} - sum(error{k} * a{k}) along each row)")
        err = self.error(k)
        out.append(Step(f"delta{k}", "backward", formula, f"{shape(err)} * {shape(err)} -> {shape(err)}",
                        self.delta(k),
                        f"The chain rule: the error times the slope of {name} at each unit, which is how much "
                        f"the loss changes with each of layer {k}'s sums."))
        return out

    def gradients(self, k: int) -> list[Step]:
        layer, a_in, delta = self.layer(k), self.outs[k - 1], self.delta(k)
        grad_w, grad_b = self.grads[k - 1]
        out = [Step(f"grad_W{k}", "backward", f"grad_W{k} = dL/dW{k} = a{k - 1}^T . delta{k}",
                    f"{shape(a_in.T)} . {shape(delta)} -> {shape(layer.weights)}", grad_w,
                    "For each weight: the input it multiplies times the delta of the unit it feeds, "
                    "added up over the rows.")]
        if grad_b is not None:
            out.append(Step(f"grad_b{k}", "backward", f"grad_b{k} = dL/db{k} = sum of delta{k} over rows",
                            f"sum {shape(delta)} -> {shape(layer.bias)}", grad_b,
                            "For each bias: the deltas of its unit added up over the rows."))
        return out

    def updates(self, k: int) -> list[Step]:
        weights, bias = self.after[k - 1]
        out = [self.update(f"W{k}", weights)]
        if bias is not None:
            out.append(self.update(f"b{k}", bias))
        return out

    def update(self, name: str, new: Array) -> Step:
        opt = self.net.optimizer
        how = ("by about lr against the running mean of its gradient, whatever the gradient's size"
               if isinstance(opt, optimizers.Adam) else "by lr times its gradient, the other way")
        return Step(name, "update", f"{name} <- {update_text(opt, name)}", f"{shape(new)} -> {shape(new)}", new,
                    f"{opt.name}: each value moves {how}, downhill on the loss.")

    # --- the tutorial's names ----------------------------------------------------------

    def tutorial_steps(self) -> list[Step]:
        """l0 .. ln, ln_error, ln_delta, ..., l1_delta, syn(n-1) .. syn0, in the tutorial's sign."""
        out = [Step("l0", "forward", "l0 = X", shape(self.outs[0]), self.outs[0],
                    f"The input: {self.rows} rows (examples) of {self.outs[0].shape[1]} values; in the "
                    "tutorial's data the last column is always 1 and plays the part of a bias.", "l0 = X")]
        for k in range(1, self.n + 1):
            out.append(Step(f"l{k}", "forward", f"l{k} = sigmoid(l{k - 1} . syn{k - 1})",
                            f"{shape(self.outs[k - 1])} . {shape(self.layer(k).weights)} -> {shape(self.outs[k])}",
                            self.outs[k],
                            "The network's guesses, one per row, between 0 and 1." if k == self.n else
                            f"How strongly each of the {self.layer(k).n_out} hidden units fires for each row, "
                            "between 0 and 1.", f"l{k} = nonlin(np.dot(l{k - 1}, syn{k - 1}))"))
        for k in range(self.n, 0, -1):
            err, delta = -self.error(k), -self.delta(k)  # the tutorial adds: its signs are flipped
            if k == self.n:
                out.append(Step(f"l{k}_error", "loss", f"l{k}_error = y - l{k}",
                                f"{shape(self.Y)} - {shape(err)} -> {shape(err)}", err,
                                "How far each guess is from its target: positive where it should go up.",
                                f"l{k}_error = y - l{k}"))
            else:
                w = self.layer(k + 1).weights
                out.append(Step(f"l{k}_error", "backward", f"l{k}_error = l{k + 1}_delta . syn{k}^T",
                                f"{shape(self.delta(k + 1))} . {shape(w.T)} -> {shape(err)}", err,
                                f"Each hidden unit's share of the blame: layer {k + 1}'s deltas sent back through "
                                "the weights that carried its signal.", f"l{k}_error = l{k + 1}_delta.dot(syn{k}.T)"))
            out.append(Step(f"l{k}_delta", "backward", f"l{k}_delta = l{k}_error * l{k} * (1 - l{k})",
                            f"{shape(err)} * {shape(err)} -> {shape(err)}", delta,
                            "The error times the sigmoid's slope: units that are sure (near 0 or 1) change little, "
                            "unsure ones (near 0.5) change most.",
                            f"l{k}_delta = l{k}_error * nonlin(l{k}, deriv=True)"))
        for k in range(self.n, 0, -1):
            a_in, new = self.outs[k - 1], self.after[k - 1][0]
            out.append(Step(f"syn{k - 1}", "update", f"syn{k - 1} = syn{k - 1} + l{k - 1}^T . l{k}_delta",
                            f"{shape(a_in.T)} . {shape(self.delta(k))} -> {shape(new)}", new,
                            "Each weight moves by its input times the delta of the unit it feeds, summed over the "
                            "rows: one step of gradient descent with learning rate 1.",
                            f"syn{k - 1} += l{k - 1}.T.dot(l{k}_delta)"))
        return out


def update_text(opt: optimizers.Optimizer, name: str) -> str:
    """The optimizer's update rule for parameter ``name``, with its settings filled in."""
    g = f"grad_{name}"
    if isinstance(opt, optimizers.Adam):
        rule = (f"{name} - {opt.lr:g} * m_hat / (sqrt(v_hat) + {opt.eps:g}), with m, v the running means "
                f"(beta1={opt.beta1:g}, beta2={opt.beta2:g}) of {g} and {g}^2, bias-corrected at step {opt.steps}")
    elif getattr(opt, "momentum", 0):
        v = f"{g} + {opt.momentum:g} * v" if opt.nesterov else "v"
        rule = f"{name} - {opt.lr:g} * ({v}), v <- {opt.momentum:g} * v + {g}"
    else:
        rule = f"{name} - {opt.lr:g} * {g}"
    extras = []
    if opt.weight_decay and name.startswith("W"):
        extras.append(f"{g} includes {opt.weight_decay:g} * {name} (weight decay)")
    if opt.clipnorm is not None:
        extras.append(f"gradients scaled to a global norm of at most {opt.clipnorm:g}")
    return rule + "".join(f"; {e}" for e in extras)


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
