"""The five sections of the benchmark: each measures, then adds its table, targets and checks to the report."""

from __future__ import annotations

import ingest
import memory
import mlp
import startup
import tutorial
from harness import RTOL_FLOAT32, RTOL_FLOAT64, RTOL_SHUFFLED, OtherLoad, agreement, installed, measure, relative_change
from report import table

TORCH_MANUAL, TORCH_AUTOGRAD, SKLEARN_REG = "torch manual", "torch autograd+SGD", "sklearn MLPRegressor"
GLASSNET, NUMPY = "glassnet fit", "numpy loop"


def _ratio(a: float | None, b: float | None) -> str:
    return "" if a is None or b is None else f"{a / b:.2f}x"


def tutorial_section(args, report) -> None:
    steps = args.sizes["tutorial_steps"]
    with OtherLoad() as load:
        res = measure(tutorial.contenders(steps, report.notes), args.sizes["repeats"])
    report.load("1. tutorial", load.share)
    base = res[NUMPY].median
    rows = [[m.name, f"{m.median / steps * 1e6:.2f}", f"{m.median / base:.2f}x", f"{m.best / steps * 1e6:.2f}",
             f"{m.spread:.0%}", f"{m.losses[-1]:.10g}"] for m in res.values()]
    report.add(f"1. The tutorial network: {steps:,} full-batch steps, float64", [
        "3-4-1 sigmoid network without biases on the tutorial's 4 rows, SGD lr = 1, the tutorial's starting "
        "weights. glassnet runs `Network.fit` exactly as the README shows. \"numpy loop + fit's bookkeeping\" is "
        "the plain loop with the work `fit` owes its user added inline (each epoch's loss and mean absolute "
        "error recorded, the loss checked, a weight snapshot to fall back on, an overflow-proof sigmoid, the "
        "learning-rate multiply), without any library structure. scikit-learn's MLPRegressor cannot "
        "do the same math (identity output, biases, mean loss; lr = 0.1 as lr = 1 is chaotic there): same "
        "shapes and step count, compared with a NumPy transcription of its own math.", "",
        *table(["contender", "us/step", "time vs numpy loop", "best us/step", "spread", "final loss"], rows)])
    g = res[GLASSNET].median
    report.target("tutorial: glassnet fit <= 1.2x the plain NumPy loop", f"{g / base:.2f}x", g / base <= 1.2)
    floor = res[tutorial.BOOKKEEPING].median / base
    report.target("tutorial, for reference: the plain loop doing fit's bookkeeping, inlined (the least any "
                  "library doing that work can take)", f"{floor:.2f}x", None)
    for name, goal in ((TORCH_MANUAL, 3.5), (TORCH_AUTOGRAD, 15)):
        if name in res:
            t = res[name].median
            report.target(f"tutorial: glassnet >= {goal}x faster than {name}", f"{t / g:.2f}x", t / g >= goal)
    ref = res[NUMPY].losses[0]
    sens = relative_change(tutorial.sse(tutorial.plain_numpy(steps - 1)()), ref)
    report.checks += agreement("1. tutorial", res, [NUMPY, tutorial.BOOKKEEPING, GLASSNET, TORCH_MANUAL,
                                                    TORCH_AUTOGRAD], ref, NUMPY, RTOL_FLOAT64, sens)
    if SKLEARN_REG in res:
        k = min(steps, tutorial.CHECKED_STEP)
        ref = tutorial.sklearn_math(k)
        sens = relative_change(tutorial.sklearn_math(k - 1), ref)
        report.checks += agreement("1. tutorial", res, [SKLEARN_REG], ref, f"NumPy, its math, step {k}",
                                   RTOL_FLOAT64, sens)


def mlp_section(args, report) -> None:
    n = args.sizes["mlp_rows"]
    X, labels = mlp.make_data(n)
    rows, gemm_rows = [], []
    with OtherLoad() as load:
        for b in args.sizes["batches"]:
            res = measure(mlp.contenders(X, labels, b, report.notes), args.sizes["repeats"])
            gemm = res.pop(mlp.GEMM).median
            _mlp_batch(b, n, res, gemm, rows, gemm_rows, report)
            ref = res[NUMPY].losses[0]
            fewer = mlp.numpy_loop(X[:n - b], labels[:n - b], b)()
            sens = relative_change(mlp.cross_entropy(fewer, X, labels), ref)
            names = [NUMPY, GLASSNET, "torch autograd+SGD", "sklearn MLPClassifier"]
            report.checks += agreement(f"2. mlp batch {b}", res, names, ref, NUMPY, RTOL_FLOAT32, sens)
            report.checks += agreement(f"2. mlp batch {b}", res, [mlp.SHUFFLED], ref, NUMPY, RTOL_SHUFFLED)
    report.load("2. mlp", load.share)
    report.add(f"2. 784-256-128-10 ReLU MLP, softmax cross-entropy, SGD (lr {mlp.LR}), float32, {n:,} rows, "
               "one epoch", [
        "Same synthetic rows, He-normal weights and zero biases for all, rows in order (no shuffling, so every "
        "contender does the same arithmetic), training loss computed every batch by all. glassnet's `fit` also "
        "computes its default metric (accuracy) every batch. The row 'glassnet fit shuffle=True' (shuffling, as "
        "`fit` does by default) is for information. 'of GEMM time' = the time of the step's matrix products "
        "alone (table below, timed interleaved with the contenders) / the contender's time.", "",
        *table(["batch", "contender", "samples/s", "vs torch", "vs sklearn", "of GEMM time", "best samples/s",
                "spread", "final loss"], rows),
        "", "GEMM rate: the matrix products of one training step (per layer x.W, x^T.delta and, except for the "
        "first layer, delta.W^T; 2*batch*n_in*n_out FLOPs each) timed alone with np.dot in float32 into "
        "preallocated arrays, for as many steps as one epoch.", "",
        *table(["batch", "FLOPs per step", "GEMM-only time per epoch (s)", "GFLOP/s", "samples/s if only GEMMs"],
               gemm_rows)])


def _mlp_batch(b, n, res, gemm, rows, gemm_rows, report) -> None:
    sps = {name: n / m.median for name, m in res.items()}
    torch_sps, sk_sps = sps.get("torch autograd+SGD"), sps.get("sklearn MLPClassifier")
    for name, m in res.items():
        rows.append([b, name, f"{sps[name]:,.0f}", _ratio(sps[name], torch_sps), _ratio(sps[name], sk_sps),
                     f"{gemm / m.median:.0%}", f"{n / m.best:,.0f}", f"{m.spread:.0%}", f"{m.losses[-1]:.6g}"])
    flops = mlp.gemm_flops(b)
    gemm_rows.append([b, f"{flops:,}", f"{gemm:.4f}", f"{flops * (n // b) / gemm / 1e9:.1f}", f"{n / gemm:,.0f}"])
    g = sps[GLASSNET]
    if b == 128 and torch_sps:
        report.target("mlp batch 128: glassnet >= 1.25x torch samples/s", f"{g / torch_sps:.2f}x",
                      g / torch_sps >= 1.25)
    if sk_sps:
        report.target(f"mlp batch {b}: glassnet >= 1.5x sklearn samples/s", f"{g / sk_sps:.2f}x", g / sk_sps >= 1.5)
    if b >= 128:
        share = gemm / res[GLASSNET].median
        report.target(f"mlp batch {b}: glassnet >= 85% of the float32 GEMM rate", f"{share:.0%}", share >= 0.85)


def startup_section(args, report) -> None:
    with OtherLoad() as load:
        rows = startup.measure(args.sizes["startup_repeats"], report.notes)
    report.load("3. start-up", load.share)
    walls = {r["case"]: r for r in rows}
    lines = ["Each case in a fresh interpreter (the same environment). 'process' is the whole command as the "
             "parent sees it; 'import alone' times the import statement inside the child.", "",
             *table(["case", "process (s)", "import alone (s)"],
                    [[r["case"], f"{r['wall']:.3f}", "" if r["import"] is None else f"{r['import']:.3f}"]
                     for r in rows])]
    for label, code in (("import glassnet", "import glassnet"),
                        ("glassnet --help", "from glassnet import cli; cli.build_parser()")):
        total, own = startup.culprits(code)
        heavy = startup.heavy_modules(code)
        lines += ["", f"`{label}` (`python -X importtime`): largest cumulative imports "
                  + ", ".join(f"{m} {s * 1000:.0f} ms" for m, s in total) + "; largest own times "
                  + ", ".join(f"{m} {s * 1000:.1f} ms" for m, s in own)
                  + f". Heavy optional libraries loaded: {', '.join(heavy) or 'none'}."]
    report.add("3. Start-up", lines)
    for case, limit in (("import glassnet", 0.15), ("glassnet --help", 0.25)):
        r = walls[case]
        inner = f" (import alone {r['import']:.3f} s)" if r["import"] is not None else ""
        report.target(f"start-up: `{case}` < {limit} s (whole process)", f"{r['wall']:.3f} s{inner}",
                      r["wall"] < limit)


def memory_section(args, report) -> None:
    n, epochs = args.sizes["memory_rows"], args.sizes["memory_epochs"]
    with OtherLoad() as load:
        out = [memory.measure(which, n, epochs, 256, args.threads) for which in ("glassnet", "numpy")]
    report.load("4. memory", load.share)
    mb = 1 / 1024
    rows = [[o["which"], f"{(o['data_bytes'] + o['model_bytes']) / 2**20:.1f}", f"{o['base_kb'] * mb:.1f}",
             f"{o['peak_kb'] * mb:.1f}", f"{o['ratio']:.3f}", f"{o['ratio_raw']:.3f}",
             " / ".join(f"{kb * mb:.1f}" for kb in o["epoch_kb"])] for o in out]
    report.add(f"4. Memory: {n:,} x {memory.FEATURES} float32 rows, 20-64-64-1 MLP, batch 256, {epochs} epochs", [
        "Each in a child process. 'base' is its resident memory after a small warm-up fit (interpreter, "
        "libraries, BLAS buffers); the ratio is (peak - base) / (data + model bytes). The plain NumPy loop "
        "(shuffled, rows gathered per batch) is there for comparison."
        + ("" if all(o["peak_reset"] for o in out) else " The kernel refused to reset the peak after the data "
           "was made: peaks include making the data."), "",
        *table(["contender", "data + model (MiB)", "base (MiB)", "peak (MiB)", "(peak - base) / (data + model)",
                "peak / (data + model)", "resident after each epoch (MiB)"], rows)])
    g = out[0]
    report.target("memory: peak < 1.3x (data + model)", f"{g['ratio']:.3f}x (raw, with the interpreter: "
                  f"{g['ratio_raw']:.2f}x)", g["ratio"] < 1.3)
    later = g["epoch_kb"][1:] or g["epoch_kb"]
    growth = (max(later) - min(later)) * 1024
    report.target("memory: flat across epochs (from epoch 2 on, within 1% of the data)",
                  f"{growth / 2**20:.1f} MiB", growth <= 0.01 * g["data_bytes"])


def scaling_section(args, report) -> None:
    with OtherLoad() as load:
        sizes = args.sizes
        points = memory.epoch_times(list(sizes["scaling_rows"]), sizes["repeats"], sizes["scaling_rows_per_fit"], 256)
    report.load("5. epoch time", load.share)
    fit = memory.linear_fit(points)
    report.add("5. Time per epoch against rows (glassnet fit, the section 4 network, batch 256, shuffled)", [
        f"Seconds per epoch: median over {sizes['repeats']} rounds, each fitting every size once (about "
        f"{sizes['scaling_rows_per_fit']:,} rows per fit, at least 2 epochs), the first epoch of each fit left "
        "out (it includes the one-off input checks).",
        "", *table(["rows", "s/epoch", "us/row"], [[f"{r:,}", f"{s:.4f}", f"{s / r * 1e6:.3f}"] for r, s in points]),
        "", f"Least squares: t = {fit['intercept']:.2e} s + {fit['slope']:.3e} s/row x rows, R^2 = {fit['r2']:.5f}; "
        f"per-row time at {points[-1][0]:,} rows / at {points[0][0]:,} rows = {fit['per_row_ratio']:.2f}."])
    report.target("epoch time linear in rows (per-row time at the largest / smallest size <= 1.25)",
                  f"slope {fit['slope'] * 1e6:.3f} us/row, ratio {fit['per_row_ratio']:.2f}, R^2 {fit['r2']:.4f}",
                  fit["per_row_ratio"] <= 1.25)


def ingest_section(args, report) -> None:
    small, large = args.sizes["ingest_rows"]
    with OtherLoad() as load:
        runs = {rows: ingest.measure(rows, args.sizes["startup_repeats"]) for rows in (small, large)}
    report.load("6. ingestion", load.share)
    pandas = next((k for k in runs[small] if k.startswith("pandas.read_csv()")), None)
    rows = [[f"{n:,}", name, f"{m['bytes'] / 2**20:.0f}", f"{m['wall']:.2f}",
             _ratio(m["wall"], runs[n][pandas]["wall"] if pandas else None), f"{m['peak']:.0f}"]
            for n, cases in runs.items() for name, m in cases.items()]
    report.add(f"6. Ingestion: glassnet train on {small:,} and {large:,} rows x {ingest.FEATURES + 1} numbers, "
               "one epoch, whole process", [
                   "Each a fresh process, median of the runs, interleaved; peak: the child's own high-water resident "
                   "memory (VmHWM). "
                   f"pyarrow {'installed: glassnet reads large files with Arrow' if installed('pyarrow') else 'absent'}"
                   ".", "",
                   *table(["rows", "process", "file (MiB)", "wall (s)", "/ pandas", "peak (MiB)"], rows)])
    glassnet = runs[small][ingest.GLASSNET]
    if pandas:
        limit = 3 if installed("pyarrow") else 5
        ratio = glassnet["wall"] / runs[small][pandas]["wall"]
        report.target(f"ingestion: train --epochs 1 <= {limit}x pandas.read_csv().to_numpy()", f"{ratio:.2f}x",
                      ratio <= limit)
    report.target("ingestion: peak <= 250 MiB", f"{glassnet['peak']:.0f} MiB", glassnet["peak"] <= 250)
    per_row = (runs[large][ingest.GLASSNET]["wall"] / large) / (glassnet["wall"] / small)
    report.target(f"ingestion: linear ({large:,} rows' time per row / {small:,} rows' <= 1.25, start-up included)",
                  f"{per_row:.2f}", per_row <= 1.25)


RUN = {"tutorial": tutorial_section, "mlp": mlp_section, "startup": startup_section, "memory": memory_section,
       "scaling": scaling_section, "ingest": ingest_section}
