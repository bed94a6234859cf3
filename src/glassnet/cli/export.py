"""``glassnet export``: a model file as an ONNX model that takes the raw columns of the table.

A model trained from a table gets its whole preprocessing in the graph: one graph input per input column, named
after it (``glassnet.inputs`` in the metadata maps each input to its column and type): numbers as float64 (rows, 1)
with NaN for a missing cell (filled with the training median, plus the "was missing" input where the model has one,
then scaled as in training: standard or robust), text as strings (rows, 1) (one-hot over the training categories;
"" and the NA tokens are missing; an unseen category is all zeros). The output is float64: the class probabilities,
in the order ``glassnet.classes`` lists, or for regression the target in its own units. A network saved from Python
(no preprocessing) takes one input ``input`` (rows, n_inputs) as ``Network.to_onnx`` writes it.
"""

from __future__ import annotations

import argparse

from .options import add_model

SHOWN_INPUTS = 12  # inputs named on the terminal (a wide table's are listed in the file)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a model file to ONNX (needs glassnet[onnx])",
                       description="Write a model saved by glassnet train as an ONNX model file that takes the raw "
                                   "input columns, one graph input per column (numbers as float64 with NaN for "
                                   "missing cells, text as strings), with the imputation, scaling and "
                                   "one-hot encoding in the graph, and gives class probabilities or the target in "
                                   "its own units.")
    add_model(p)
    p.add_argument("--onnx", required=True, metavar="FILE", help="the ONNX file to write")
    p.add_argument("--opset", type=int, default=17, help="ONNX opset of the default domain (default: 17)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from ..formats.files import atomic_write, output_file
    from ..formats.onnx import build_model

    output_file(args.onnx, "--onnx", {"the model file": args.model})
    from .. import load_model

    bundle = load_model(args.model)
    net, prep = bundle.network, bundle.preprocessing
    model = build_model(net, args.opset, preprocessing=prep)
    atomic_write(args.onnx, model.SerializeToString())
    props = {p.key: p.value for p in model.metadata_props}
    text = ""
    if prep is None:
        inputs = f"input 'input' (rows, {net.n_inputs})"
    else:
        described = json.loads(props["glassnet.inputs"])
        shown = ", ".join(f"{d['name']!r} ({d['type']}" + (f", column {d['column']!r})" if d["name"] != d["column"]
                                                            else ")") for d in described[:SHOWN_INPUTS])
        shown += f", ... ({len(described)} in all; glassnet.inputs in the file's metadata lists them)" \
            if len(described) > SHOWN_INPUTS else ""
        inputs = f"input{'s' if len(described) > 1 else ''} {shown}, each (rows, 1)"
        if any(d["type"] == "string" for d in described):
            text = "; text cells are matched as given: strip the blanks around them, as glassnet's readers do"
    print(f"wrote {args.onnx}: {inputs}; output 'output' (rows, {net.n_outputs}) = "
          f"{props.get('glassnet.outputs', 'the network outputs')}; opset {args.opset}{text}")
    return 0
