import os

import torch
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=25,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# One torch thread per test process: the suite runs under pytest-xdist (-n 2) on 2 cores,
# and oversubscribed intra-op threads make small float64 ops several times slower.
torch.set_num_threads(1)
