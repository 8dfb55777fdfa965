"""Several server workers share the cores instead of each asking torch for all of them."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "from estation.matching.encoder import configure_torch_threads as c; import torch; n = c(); print(n, torch.get_num_threads())"


def _threads(env: dict[str, str]) -> tuple[int, int]:
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True, timeout=120)
    chosen, actual = map(int, done.stdout.split())
    return chosen, actual


def test_a_worker_takes_its_share_of_the_cores() -> None:
    cores = len(os.sched_getaffinity(0))
    alone = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    assert _threads(alone) == (cores, cores)
    assert _threads(alone | {"OMP_NUM_THREADS": "1"}) == (1, 1)
    assert _threads(alone | {"OMP_NUM_THREADS": str(cores * 4)}) == (cores, cores)  # never more than there are
