"""``glassnet export``: a model file as an ONNX model that takes the raw numeric columns of the CSV.

The model's standardization  x' = (x - mean) / scale  goes into the graph in front of the network and, for
regression, the target's  y = a * scale + mean  after it; classification outputs are the class
probabilities, in the order the model's metadata lists the classes. Text (one-hot) input columns are refused.
"""

from __future__ import annotations

import argparse

from .options import add_model


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a model file to ONNX (needs glassnet[onnx])",
                       description="Write a model saved by glassnet train as an ONNX model file that takes the raw "
                                   "numeric input columns (standardization included) and gives class probabilities "
                                   "or the target in its own units. Models with text input columns are refused.")
    add_model(p)
    p.add_argument("--onnx", required=True, metavar="FILE", help="the ONNX file to write")
    p.add_argument("--opset", type=int, default=17, help="ONNX opset of the default domain (default: 17)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..formats.files import atomic_write, output_file
    from ..formats.onnx import build_model

    output_file(args.onnx, "--onnx", {"the model file": args.model})
    from .. import load_model

    bundle = load_model(args.model)
    net, prep = bundle.network, bundle.preprocessing
    options = _preprocessing(prep, args.model) if prep is not None else {}
    model = build_model(net, args.opset, **options)
    atomic_write(args.onnx, model.SerializeToString())
    props = {p.key: p.value for p in model.metadata_props}
    inputs = props.get("glassnet.inputs", f"{net.n_inputs} features")
    print(f"wrote {args.onnx}: input 'input' (rows, {net.n_inputs}) = {inputs}; output 'output' (rows, "
          f"{net.n_outputs}) = {props.get('glassnet.outputs', 'the network outputs')}; opset {args.opset}")
    return 0


def _preprocessing(prep, model: str) -> dict:
    """build_model's options for a model trained from a CSV file: the columns' and target's scaling."""
    import json

    from ..errors import InputError
    from ..tabular.preprocessing import Category

    if prep.has_categories:
        text = [c.name for c in prep.columns if isinstance(c, Category)]
        raise InputError(f"{model}: input column(s) {', '.join(map(repr, text))} hold text, one-hot encoded by "
                         "glassnet; ONNX export supports numeric input columns only")
    target = prep.target
    options = {"standardize": (prep.means, prep.scales),
               "metadata": {"glassnet.inputs": json.dumps(prep.input_columns), "glassnet.target": target.name}}
    if target.task == "regression":
        options["unstandardize"] = ([target.mean], [target.scale])
        options["metadata"]["glassnet.outputs"] = f"{target.name}, in its own units"
    else:
        options["metadata"]["glassnet.outputs"] = f"probabilities of {target.name} = {json.dumps(target.classes)}"
    return options
