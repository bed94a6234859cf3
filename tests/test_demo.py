"""glassnet demo --no-hidden: the single-layer perceptron cannot learn XOR; the hidden-layer network can."""

import numpy as np
import pytest

from glassnet.cli import main
from reference import nonlin, tutorial_single_layer, tutorial_two_layer

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
XOR = np.array([[0], [1], [1], [0]], dtype=float)


def table(out):
    rows = [line.split() for line in out.splitlines() if line[:1] in "01" and len(line.split()) == 6]
    return np.array([[float(v) for v in row[4:]] for row in rows])


def test_no_hidden_layer_stays_at_one_half(capsys):
    assert main(["demo", "--no-hidden", "--epochs", "20000"]) == 0
    out = capsys.readouterr().out
    got = table(out)
    assert got.shape == (4, 2)
    syn0, _ = tutorial_single_layer(X, XOR, iterations=20000)  # the tutorial's own loop, on XOR
    np.testing.assert_allclose(got[:, 0], nonlin(X @ syn0).ravel(), atol=5e-5)
    np.testing.assert_allclose(got[:, 0], 0.5, atol=1e-3)
    syn0, syn1, _ = tutorial_two_layer(X, XOR, iterations=20000)
    np.testing.assert_allclose(got[:, 1], nonlin(nonlin(X @ syn0) @ syn1).ravel(), atol=5e-5)
    np.testing.assert_array_equal(got[:, 1].round(), XOR.ravel())
    assert "no line puts (0,1) and (1,0) on one side" in " ".join(out.split())


def test_bad_epochs(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["demo", "--no-hidden", "--epochs", "0"])
    assert stop.value.code == 2 and "--epochs: must be a positive integer; got '0'" in capsys.readouterr().err


def test_default_demo_is_the_tutorials_output(capsys):
    assert main(["demo", "--epochs", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Error:0.49641003190272") and out[1] == "Output After Training:"
