"""The Python API refuses what the command line refuses: saving over a pipe, a socket or a folder (the save once
replaced /dev/null, and waited forever on a pipe), and a few arguments that gave a bare Python error or a silent
wrong answer."""

import os
import socket
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet.errors import InputError

SAVE = """
import sys, glassnet as gn
net = gn.Network([gn.Dense(2, 3), gn.Dense(3, 1)], seed=0)
try:
    net.save(sys.argv[1])
except gn.InputError as exc:
    print(exc)
"""


def test_save_refuses_a_pipe_and_a_socket_without_waiting(tmp_path):
    pipe, sock_path = tmp_path / "pipe", tmp_path / "sock"
    os.mkfifo(pipe)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        for path in (pipe, sock_path):
            done = subprocess.run([sys.executable, "-c", SAVE, str(path)], capture_output=True, text=True, timeout=60)
            assert done.stdout.strip() == (f"{path} is not a regular file (a device, a pipe or a socket); glassnet "
                                           "writes whole files and would replace it: give a file name"), done.stderr
    finally:
        server.close()
    assert pipe.is_fifo() and sock_path.is_socket()


@pytest.mark.parametrize("name, said", [("", "the file name to write is empty"),
                                        (".", "is a folder, not a file name"),
                                        ("no/such/m.safetensors", "does not exist")])
def test_save_names_a_folder_or_a_missing_folder(tmp_path, monkeypatch, name, said):
    monkeypatch.chdir(tmp_path)
    net = gn.Network([gn.Dense(2, 1)], seed=0)
    with pytest.raises(InputError, match=said):
        net.save(name)


def test_gradcheck_refuses_a_step_too_small_to_measure():
    """(h = 1e-300 gave finite differences of 0 and reported 1.0, 'gradients wrong'.)"""
    net = gn.Network([gn.Dense(2, 3, activation="tanh"), gn.Dense(3, 1)], seed=0)
    X = np.random.default_rng(0).normal(size=(4, 2))
    with pytest.raises(InputError, match="h must be a small positive number from 1e-12"):
        gn.gradcheck(net, X, X[:, :1], h=1e-300)
    assert gn.gradcheck(net, X, X[:, :1], h=1e-12) < 1e-2


def test_an_ensemble_of_ten_billion_members_is_refused_before_any_memory():
    with pytest.raises(InputError, match="the number of members must be an integer from 1 to 1024"):
        gn.Ensemble([gn.Dense(2, 1)], seeds=10**10)


def test_train_table_names_the_duplicated_column_and_refuses_an_ignored_target():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0) % 3, "t": ["p", "q"] * 10})
    twice = pd.concat([frame, frame[["t"]]], axis=1)
    with pytest.raises(InputError, match="the DataFrame has two columns named 't'; names must differ"):
        gn.train_table(twice, "t", epochs=1)
    with pytest.raises(InputError, match="--ignore names the target column 't', which is never an input"):
        gn.train_table(frame, "t", ignore=["t"], epochs=1)


def test_a_dataframe_holding_the_smallest_int64_keeps_its_exact_text():
    """(abs(-2**63) wraps to itself in int64: the column was taken for one float64 holds exactly.)"""
    pd = pytest.importorskip("pandas")
    from glassnet.tabular.datasets import resolve

    table = resolve(pd.DataFrame({"k": np.array([-(2**63), 5], dtype=np.int64), "y": ["a", "b"]}))
    assert table.text("k", 0) == str(-(2**63)) and table.text("k", 1) == "5"
