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
