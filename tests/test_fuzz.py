"""Fuzzing (issue 11): hostile model files and CSV tables, made by the seeded mutations of tests/hostile.py from
good ones, Hypothesis choosing the seeds. Every outcome is a correct load or read, or one glassnet error line;
never a traceback, a hang over 10 s, memory over 500 MB or a silently different result. A few hundred cases
in CI (derandomized: tests/conftest.py); GLASSNET_FUZZ=long tries thousands."""

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile

LONG = os.environ.get("GLASSNET_FUZZ") == "long"
FUZZ = settings(max_examples=3000 if LONG else 240, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    return hostile.model_files(tmp_path_factory.mktemp("seeds"))


@FUZZ
@given(which=st.integers(0, 2), kind=st.sampled_from(hostile.MODEL_KINDS), seed=st.integers(0, 2**32 - 1))
def test_hostile_model_files(seeds, tmp_path, which, kind, seed):
    original = seeds[which]
    mutated = tmp_path / "mutated.safetensors"
    mutated.write_bytes(hostile.mutate_model(original.read_bytes(), kind, random.Random(seed)))
    outcome = hostile.model_outcome(original, mutated, kind)
    if original.name == "v1.safetensors":  # format 1 has no checksum: a changed file may load, changed
        assert outcome in ("loaded", "refused", "changed"), (kind, seed)
    elif kind == "metadata, signed":  # a consistent new file: loaded correctly, or refused
        assert outcome in ("loaded", "refused"), (kind, seed)
    else:  # any change the checksum covers is refused ("loaded": the change left the meaning as it was)
        assert outcome in ("refused", "loaded"), (kind, seed)


@settings(FUZZ, max_examples=1500 if LONG else 80)
@given(kind=st.sampled_from(hostile.CSV_KINDS), seed=st.integers(0, 2**32 - 1))
def test_hostile_csv_tables(tmp_path, kind, seed):
    rng = random.Random(seed)
    path = tmp_path / "table.csv"
    path.write_bytes(hostile.mutate_csv(hostile.good_csv(rng), kind, rng))
    assert hostile.csv_outcome(path, tmp_path / "model.safetensors") in ("read", "refused"), (kind, seed)
