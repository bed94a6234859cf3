"""Nothing already saved is lost (issue 11): ``kill -9`` at random moments of ``glassnet train --checkpoint-every 1``
over a good model file leaves a file that loads, old or new, every time; the temporary files a killed writer
leaves are removed by the next save; and a report shows markup from a model file or a CSV as text."""

import html.parser
import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np

import glassnet as gn
from glassnet.cli import main

KILLS = 40 if os.environ.get("GLASSNET_FUZZ") == "long" else 20


def test_kill_9_while_checkpointing_never_leaves_a_broken_model(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 8))
    data = tmp_path / "data.csv"
    np.savetxt(data, np.column_stack([X, X[:, 0] * X[:, 1] > 0]), delimiter=",", fmt="%.5g",
               header=",".join([f"x{j}" for j in range(8)] + ["y"]), comments="")
    out = tmp_path / "model.safetensors"
    args = [sys.executable, "-m", "glassnet.cli", "train", str(data), "--target", "y", "--epochs", "100000",
            "--patience", "0", "--checkpoint-every", "1", "--quiet", "--hidden", "64", "--out", str(out)]
    assert main(args[3:-4] + ["--epochs", "1", "--out", str(out)]) == 0  # a good model to start from
    chance = random.Random(0)
    epochs = []
    for _ in range(KILLS):
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.8, 2.5))  # (about a second to start, then an epoch every few ms)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        model = gn.load_model(out)  # whole: the last checkpoint, or the file before it
        epochs.append(model.network.epochs_trained)
    assert len(set(epochs)) > 1  # the kills came at different moments of training, after checkpoints were saved
    assert main(["info", str(out)]) == 0
    main(args[3:-4] + ["--epochs", "1", "--out", str(out)])  # one more save clears what the killed writers left
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]


def test_markup_from_files_lands_in_the_report_as_text(tmp_path, capsys):
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    data = tmp_path / "evil.csv"
    rows = "".join(f"{i % 5},{i % 3},{['a' + evil, 'b' + evil][i % 2]}\n" for i in range(40))
    data.write_text(f'"{evil.replace(chr(34), chr(34) * 2)}",x2,label\n' + rows)
    model = tmp_path / "m.safetensors"
    assert main(["train", str(data), "--target", "label", "--epochs", "2", "--quiet", "--out", str(model)]) == 0
    bundle = gn.load_model(model)
    bundle.network.history[f"loss{evil}"] = list(bundle.network.history["loss"])  # a crafted history name
    bundle.record.test_metrics = {f"accuracy{evil}": 0.5}
    bundle.save(model)
    assert main(["report", str(model), str(data), "--out", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text()
    tags = Tags()
    tags.feed(page)
    assert "script" not in tags.tags and "img" not in tags.tags
    assert not [name for name in tags.attributes if name.startswith("on")]
    assert "&lt;script&gt;" in page  # shown, as text
    assert main(["info", str(model)]) == 0 and "<script>" in capsys.readouterr().out  # text in a terminal: fine


def test_control_characters_from_files_are_escaped_on_the_terminal(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    data = tmp_path / "c.csv"
    data.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{'x' if i % 2 else 'evil'}\n" for i in range(30)))
    assert main(["train", str(data), "--target", "y", "--epochs", "1", "--quiet", "--out", str(model)]) == 0
    bundle = gn.load_model(model)
    bundle.preprocessing.target.classes[0] = "evil\x1b[2J\u202egnp.exe\x00"
    bundle.save(model)
    assert main(["info", str(model)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\x00" not in out
    assert "evil\\x1b[2J\\u202egnp.exe\\x00" in out
    assert main(["predict", str(model), str(data), "--out", str(tmp_path / "p.csv")]) == 0  # data: kept as it is
    assert "evil\x1b[2J\u202egnp.exe\x00" in (tmp_path / "p.csv").read_text()
    assert json.loads(json.dumps(bundle.preprocessing.to_json()))  # (the class name is ordinary JSON)
