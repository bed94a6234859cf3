"""The command line's own options and output formats: --version, the defaults that --help shows for every
option of every command, and the digits predict --proba prints."""

import subprocess
import sys
from importlib import metadata

import pytest

import glassnet as gn
from glassnet import cli
from glassnet.cli import main


def test_version_prints_the_installed_version_without_numpy():
    code = ("import sys; from glassnet.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit as stop:\n    print(stop.code, 'numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [f"glassnet {metadata.version('glassnet')}", "0 False"]


def test_version_falls_back_on_the_source_tree(monkeypatch, capsys):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out == f"glassnet {gn.__version__}\n"
    assert cli.version() == gn.__version__


def test_version_is_an_option_of_glassnet_not_of_its_commands(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["datasets", "--version"])
    assert stop.value.code == 2 and "unrecognized arguments: --version" in capsys.readouterr().err


def value_options():
    """(command, action) for every option of every command that takes a value and may be left out."""
    sub = next(a for a in cli.build_parser()._actions if a.choices and a.dest == "command")
    for name, parser in sub.choices.items():
        for action in parser._actions:
            if action.option_strings and action.nargs != 0 and not action.required:
                yield name, parser, action


def test_help_shows_the_default_of_every_option_of_every_command():
    seen = 0
    for name, parser, action in value_options():
        option = f"glassnet {name} {action.option_strings[-1]}"
        shown = " ".join(parser.format_help().split())
        assert " ".join((action.help % {}).split()) in shown, option
        said = __import__("re").search(r"default: ([^;)]+)", action.help)
        assert said, f"{option} does not say its default: {action.help!r}"
        first = said.group(1).split(", ")[0].strip()
        default = action.default
        if isinstance(default, bool) or default is None:
            assert first, option  # in words (standard output, no drawing, the saved one)
        elif isinstance(default, (int, float)):
            assert float(first) == default, option
        else:
            assert first == (",".join(map(str, default)) if isinstance(default, list) else default), option
        seen += 1
    assert seen >= 25  # every command's options were walked


@pytest.mark.parametrize("value, text", [(None, "none"), ([32, 16], "32,16"), ([], ""), (0.5, "0.5"), ("5%", "5%%")])
def test_defaults_are_spelled_as_the_command_line_takes_them(value, text):
    assert cli.shown_default(value) == text


def test_predict_proba_prints_six_significant_digits(tmp_path, capsys):
    model = tmp_path / "m.safetensors"
    assert main(["train", "iris", "--target", "species", "--epochs", "3", "--quiet", "--out", str(model)]) == 0
    assert main(["predict", str(model), "iris", "--proba"]) == 0
    rows = [line.split(",") for line in capsys.readouterr().out.splitlines()[1:]]
    loaded = gn.load_model(model)
    from glassnet.tabular import datasets

    outputs = loaded.network.predict(loaded.preprocessing.inputs(datasets.load("iris")))
    assert len(rows) == 150 and [r[1:] for r in rows] == [[f"{p:.6g}" for p in row] for row in outputs]
    digits = [len(cell.split("e")[0].replace(".", "").lstrip("0")) for r in rows for cell in r[1:]]
    assert max(digits) == 6  # six significant digits, not the 17 of repr
    for r, row in zip(rows, outputs):
        assert [float(cell) for cell in r[1:]] == pytest.approx(row, rel=5e-6, abs=0)


def test_na_values_that_begin_with_a_minus_need_no_equals_sign(tmp_path):
    from glassnet.cli import _tokens_joined

    assert _tokens_joined(["train", "d.csv", "--na-values", "-999,NA", "--epochs", "2"]) == [
        "train", "d.csv", "--na-values=-999,NA", "--epochs", "2"]
    assert _tokens_joined(["train", "--na-values", "--epochs", "2"]) == ["train", "--na-values", "--epochs", "2"]
    rows = "".join(f"{i % 7 if i % 5 else -999},{i % 2}\n" for i in range(60))
    (tmp_path / "d.csv").write_text("x,y\n" + rows)
    out = tmp_path / "m.safetensors"
    assert main(["train", str(tmp_path / "d.csv"), "--target", "y", "--task", "classification", "--epochs", "2",
                 "--ensemble", "2", "--quiet", "--na-values", "-999", "--out", str(out)]) == 0
    assert gn.load_model(out).record.settings["na_values"] == ["-999"]


def test_only_the_commands_that_take_na_values_have_their_value_joined():
    from glassnet.cli import _tokens_joined

    assert _tokens_joined(["train", "d.csv", "--na-value", "-999,-"]) == ["train", "d.csv", "--na-value=-999,-"]
    assert _tokens_joined(["playground", "--na-values", "-1", "d.csv"]) == ["playground", "--na-values=-1", "d.csv"]
    assert _tokens_joined(["predict", "m", "d.csv", "--na-values", "-999"]) == ["predict", "m", "d.csv",
                                                                                "--na-values", "-999"]
    assert _tokens_joined(["train", "--target", "-x"]) == ["train", "--target", "-x"]
