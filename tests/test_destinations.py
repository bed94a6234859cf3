"""Every command x every option that writes x every kind of bad destination: refused before any work, with one
line and exit code 2, and every input byte-identical afterwards (issue 11's output-path matrix)."""

import os

import pytest

from glassnet.cli import main

# command line (MODEL, DATA, OUT stand for the paths), the option that writes, and which inputs it reads
WRITERS = [
    (["train", "DATA", "--target", "y", "--epochs", "1", "--out", "OUT"], "--out", ["DATA"]),
    (["train", "DATA", "--target", "y", "--epochs", "1", "--out", "new.safetensors", "--plot", "OUT"], "--plot",
     ["DATA"]),
    (["resume", "MODEL", "DATA", "--epochs", "1", "--out", "OUT"], "--out", ["DATA"]),  # MODEL: its default
    (["resume", "MODEL", "DATA", "--epochs", "1", "--plot", "OUT"], "--plot", ["MODEL", "DATA"]),
    (["predict", "MODEL", "DATA", "--out", "OUT"], "--out", ["MODEL", "DATA"]),
    (["report", "MODEL", "DATA", "--out", "OUT"], "--out", ["MODEL", "DATA"]),
    (["plot", "MODEL", "DATA", "--out", "OUT"], "--out", ["MODEL", "DATA"]),
    (["export", "MODEL", "--onnx", "OUT"], "--onnx", ["MODEL"]),
]
KINDS = ["input", "device", "fifo", "folder", "missing folder", "link into a read-only folder", "loop of links",
         "name too long", "name too long to save", "ends with /"]
EXPECTED = {"input": "itself; writing there would replace it", "device": "is not a regular file",
            "fifo": "is not a regular file", "folder": "is a folder, not a file name",
            "missing folder": "does not exist", "link into a read-only folder": "is not writable",
            "loop of links": "Too many levels of symbolic links", "name too long": "File name too long",
            "name too long to save": "File name too long (the file is written first under its name with 14",
            "ends with /": "ends with '/', so it names a folder"}


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    folder = tmp_path_factory.mktemp("destinations")
    (folder / "data.csv").write_text("a,b,y\n" + "".join(f"{i % 7},{i % 3},{i % 2}\n" for i in range(40)))
    assert main(["train", str(folder / "data.csv"), "--target", "y", "--epochs", "1", "--quiet",
                 "--out", str(folder / "model.safetensors")]) == 0
    os.mkfifo(folder / "pipe")
    (folder / "readonly").mkdir()
    (folder / "link.png").symlink_to(folder / "readonly" / "target.png")
    (folder / "loop_a").symlink_to(folder / "loop_b")
    (folder / "loop_b").symlink_to(folder / "loop_a")
    return folder


def destination(place, kind, inputs, option):
    if kind == "input":
        return str(place / ("model.safetensors" if inputs[0] == "MODEL" else "data.csv"))
    name = "x.onnx" if option == "--onnx" else "x.png" if option in ("--plot",) else "x.html"
    return {"device": "/dev/null", "fifo": str(place / "pipe"), "folder": str(place),
            "missing folder": str(place / "nowhere" / name), "link into a read-only folder": str(place / "link.png"),
            "loop of links": str(place / "loop_a"), "name too long": str(place / ("x" * 300 + name)),
            "name too long to save": str(place / ("x" * (245 - len(name)) + name)),
            "ends with /": str(place / "results") + "/"}[kind]


CASES = [(args, option, inputs, kind) for args, option, inputs in WRITERS for kind in KINDS
         if not (kind == "name too long to save" and ("--plot" in args or args[0] == "plot"))]  # (matplotlib writes a
# picture under its own name, with no temporary file: a name 245 characters long is fine for it)


@pytest.mark.parametrize("args, option, inputs, kind", CASES, ids=[" ".join(c[0][:1] + [c[1], c[3]]) for c in CASES])
def test_bad_destinations_are_refused_before_any_work(place, monkeypatch, capsys, args, option, inputs, kind):
    monkeypatch.chdir(place)
    if kind == "link into a read-only folder":  # (as root every folder is writable: say this one is not)
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: real_access(path, mode) and
                            os.path.realpath(path) != str(place / "readonly"))
    out = destination(place, kind, inputs, option)
    argv = [{"MODEL": str(place / "model.safetensors"), "DATA": str(place / "data.csv"), "OUT": out}.get(a, a)
            for a in args]
    before = {name: (place / name).read_bytes() for name in ("model.safetensors", "data.csv")}
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"glassnet {args[0]}: error: {option} ") and len(err.splitlines()) == 1, err
    assert EXPECTED[kind] in err
    assert {name: (place / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in place.iterdir()) == ["data.csv", "link.png", "loop_a", "loop_b",
                                                       "model.safetensors", "pipe", "readonly"]
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_a_picture_may_have_a_name_too_long_for_a_temporary_file(tmp_path):
    """matplotlib writes a picture under its own name: 245 characters are fine there, not for a model file."""
    from glassnet.errors import InputError
    from glassnet.formats.files import output_file

    name = str(tmp_path / ("p" * 241 + ".png"))
    assert output_file(name, "--plot", temporary=False) == name
    with pytest.raises(InputError, match="File name too long"):
        output_file(name, "--out")

