"""Fleet runs: many device hosts, one run, one report, on Dask distributed.

Each device host runs ``harness worker`` (:mod:`harness.fleet.host`): Dask's own worker, with the
host's devices as worker resources and a collector the devices reach; ``harness run --scheduler``
(:mod:`harness.fleet.dispatch`) sends each scenario run to the worker that owns its device and gathers
the results into one run folder. Dask is an optional dependency (``pip install 'engagement-harness[fleet]'``).
"""
