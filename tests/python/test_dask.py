"""A sweep on a Dask LocalCluster bound to 127.0.0.1 gives the local result."""

from __future__ import annotations

import pandas as pd
import pytest

import deploysim

GRID = {"deployment.strategy.batch_size": [5, 20, 50], "monitoring.scrape_interval": ["10s", "60s"]}


@pytest.mark.slow
# distributed 2022.12 (Debian 12) calls tornado's deprecated IOLoop.make_current on start-up.
@pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:There is no current event loop:DeprecationWarning")
def test_sweep_on_a_dask_cluster_equals_local(small_batches: deploysim.Scenario) -> None:
    distributed = pytest.importorskip(
        "distributed", reason="python3-distributed is not installed: the Dask path is untested")
    local = deploysim.sweep(small_batches, GRID, replicas=4, threads=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            remote = deploysim.sweep(small_batches, GRID, replicas=4,
                                     executor=client.get_executor(), chunk_size=2)
    pd.testing.assert_frame_equal(remote, local)
