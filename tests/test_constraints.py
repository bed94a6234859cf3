"""One declarative table of argument rules (glassnet.constraints): the library, the scikit-learn estimators and the
command line check through it, so each rule and its message exists once."""

import argparse
import re
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.constraints import RULES, check, cli_type
from glassnet.sklearn import GlassnetClassifier

SRC = Path(gn.__file__).parent


@pytest.mark.parametrize("rule, good, bad", [
    ("seed", [0, 2**32 - 1, np.int64(7)], [-1, 2**32, 1.0, True, "3", None]),
    ("epochs", [1, 10**6], [0, -1, 1.5, False, None]),
    ("batch_size", [1, None], [0, 2.0]),
    ("lr", [1e-9, 3, np.float32(0.5)], [0, -1, float("inf"), float("nan"), 10**400, True, "0.1"]),
    ("momentum", [0, 0.99], [1.0, -0.1]),
    ("rate", [0, 0.5], [1, -0.5]),
    ("verbose", [0, 1, 2], [3, True, "1"]),
    ("clipnorm", [None, 0.5], [0, -1]),
])
def test_rules_accept_and_refuse(rule, good, bad):
    for value in good:
        check(rule, value)
    for value in bad:
        with pytest.raises(gn.InputError, match=rf"^{rule} must be {re.escape(RULES[rule].describe())}; got "):
            check(rule, value)


def test_values_come_back_as_plain_numbers():
    assert type(check("seed", np.int64(3))) is int and type(check("lr", np.float32(0.5))) is float
    assert check("batch_size", None) is None


def test_cli_types_parse_text_with_the_same_rule():
    assert cli_type("seed")("42") == 42 and cli_type("lr")("1e-3") == 0.001 and cli_type("batch_size")("8") == 8
    for rule, text in (("seed", "-1"), ("seed", "x"), ("lr", "nan"), ("epochs", "1.5"), ("batch_size", "0")):
        with pytest.raises(argparse.ArgumentTypeError, match=r"must be .*; got '"):
            cli_type(rule)(text)
    with pytest.raises(argparse.ArgumentTypeError) as info:
        cli_type("batch_size")("0")
    assert "None" not in str(info.value)  # text is never None: the command line does not offer it


def test_the_library_the_estimators_and_the_command_line_say_the_same(capsys):
    rule = RULES["lr"].describe()
    with pytest.raises(gn.InputError, match=re.escape(f"lr must be {rule}; got 0")):
        gn.SGD(lr=0)
    with pytest.raises(gn.InputError, match=re.escape(f"learning_rate must be {rule}; got 0")):
        GlassnetClassifier(learning_rate=0).fit(np.eye(4), [0, 1, 0, 1])
    with pytest.raises(SystemExit):
        main(["train", "iris", "--target", "species", "--lr", "0"])
    assert f"argument --lr: must be {rule}; got '0'" in capsys.readouterr().err
    seed = RULES["seed"].describe()
    with pytest.raises(gn.InputError, match=re.escape(f"seed must be {seed}; got -1")):
        gn.Network([gn.Dense(2, 1)], seed=-1)
    with pytest.raises(SystemExit):
        main(["train", "iris", "--target", "species", "--seed", "-1"])
    assert f"argument --seed: must be {seed}; got '-1'" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["must be a positive integer", "must be an integer in [0, 2**32)",
                                  "must be a number in (", "must be in [0, 1)"])
def test_no_module_writes_a_rule_of_its_own(text):
    """Rule messages are made from the table; no other source file spells one out."""
    offenders = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                 if path.name != "constraints.py" and text in path.read_text()]
    assert offenders == []
