"""The Dask engine: the per-document function as tasks on a Dask cluster.

`--scheduler tcp://HOST:PORT` joins a running cluster (every worker needs
baocao installed and the input paths readable); without an address a local
cluster of `--workers` processes starts for the run. Tasks are submitted in a
bounded window and their results yielded in input order, so the dataset is the
same as the local engine's. The per-file time limit cannot stop a task running
on a remote worker: such a file is reported `timeout` and its task abandoned.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from pipeline.discover import InputFile
from pipeline.document import Limits, process_file
from pipeline.models import DocResult

INSTALL_HINT = "The Dask engine needs the `dask` extra: pip install 'baocao[dask]'."


class DaskEngine:
    def __init__(self, workers: int | None, limits: Limits, scheduler: str | None = None, client=None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.limits = limits
        self.scheduler = scheduler
        self.client = client

    def map(self, items: Iterable[InputFile]) -> Iterator[DocResult]:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise RuntimeError(INSTALL_HINT) from exc
        own_client = self.client is None
        cluster = None
        if own_client:
            if self.scheduler:
                client = Client(self.scheduler)
            else:
                cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None)
                client = Client(cluster)
        else:
            client = self.client
        window = 8 * self.workers
        try:
            queue: list[tuple[InputFile, object]] = []
            for item in items:
                queue.append((item, client.submit(process_file, item, self.limits, pure=False)))
                if len(queue) >= window:
                    yield self._result(*queue.pop(0))
            while queue:
                yield self._result(*queue.pop(0))
        finally:
            if own_client:
                client.close()
                if cluster is not None:
                    cluster.close()

    def _result(self, item: InputFile, future) -> DocResult:
        timeout = self.limits.timeout_s
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            future.cancel()
            message = f"Reading the file took more than {timeout:g} s on the cluster; its task was abandoned."
            return DocResult.failed(item.display, "ingest", "timeout", message)
        except Exception as exc:  # a worker lost with its task, a task that raised
            message = f"The cluster could not run this file ({type(exc).__name__}: {exc})."
            return DocResult.failed(item.display, "ingest", "worker_crashed", message)
