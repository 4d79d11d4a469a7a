"""Running jobs: the label and score jobs, and the back-ends that map their chunk function
(in this process, in worker processes, on a Dask cluster)."""

__all__: list[str] = []
