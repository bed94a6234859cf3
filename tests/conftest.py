import os

import numpy as np
import pytest
from hypothesis import settings

# CI runs the same examples every time, so a red run can be reproduced.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
