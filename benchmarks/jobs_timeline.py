"""Where the wall time of one `trendscore label` goes, parent and workers (issue 15).

    python benchmarks/jobs_timeline.py FILE [--jobs 2] [--chunks]

Runs `trendscore label FILE -o TMP --jobs N --quiet` in this process through the CLI's entry
point, with timestamps (one clock for every process) at: imports done, model loaded, the
warm-up before the fork, each chunk's start and end in its worker (and the worker's CPU
seconds for it), each result taken by the parent, and the job's end. Prints the serial part
before the first chunk starts, each worker's busy wall and CPU seconds, its idle gaps between
chunks, how long it waited at the end for the other (tail), the parent's time writing output,
and the whole; and, from CPU seconds (which a busy machine inflates less than wall time), the
time the run would take with a free core for every process: the parent's CPU before the fork
plus the busiest worker's CPU (with ``--jobs 1``, the process's CPU). With ``--chunks``
every chunk too. The interpreter's own start-up (before this script's first line) is not
included: time the command for that.
"""

from __future__ import annotations

import time

T0 = time.monotonic()

import argparse  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--chunks", action="store_true")
    args = parser.parse_args()
    events: list[tuple[float, float, str]] = []

    def at(what: str) -> None:
        events.append((time.monotonic() - T0, time.process_time(), what))

    import trendscore.cli
    import trendscore.modeling.model as model_module
    import trendscore.run.backends as backends
    import trendscore.run.job as job

    at("imports done")
    real_chunk, real_load, real_warm = job.label_chunk, model_module.load_model, backends.warm
    real_take = job.Merge.take

    def label_chunk(state, chunk):
        start, cpu = time.monotonic() - T0, time.process_time()
        result = real_chunk(state, chunk)
        result.timing = (os.getpid(), start, time.monotonic() - T0, time.process_time() - cpu, result.records)
        return result

    def load_model(*a, **k):
        model = real_load(*a, **k)
        at("model loaded")
        return model

    def warm(model):
        at("warm-up starts")
        real_warm(model)
        at("warm-up done, workers forked")

    done: list[tuple] = []

    def take(self, result):
        done.append((*result.timing, time.monotonic() - T0))
        return real_take(self, result)

    written = [0.0]
    from trendscore.io import outputs

    real_writer = getattr(outputs, "utf8_bytes_writer", None)  # None: code before it (not timed)

    def timed_writer(fh):
        write = real_writer(fh)

        def timed(data):
            t = time.perf_counter()
            write(data)
            written[0] += time.perf_counter() - t

        return timed

    job.label_chunk, model_module.load_model, backends.warm, job.Merge.take = label_chunk, load_model, warm, take
    import trendscore.run.label as label_module

    if real_writer is not None:
        label_module.utf8_bytes_writer = timed_writer
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.jsonl")
        try:
            trendscore.cli.main(["label", args.file, "-o", out, "--jobs", str(args.jobs), "--quiet"])
        except SystemExit as exc:
            if exc.code:
                raise
        at("job done (output in place)")
    print("| wall s | this process's CPU s | event |\n|---|---|---|")
    for t, cpu, what in events:
        print(f"| {t:.3f} | {cpu:.3f} | {what} |")
    first = min(d[1] for d in done)
    print(f"| {first:.3f} | | first chunk starts |")
    workers: dict[int, list[tuple]] = {}
    for pid, start, end, cpu, records, taken in done:
        workers.setdefault(pid, []).append((start, end, cpu, records, taken))
    last_end = max(d[2] for d in done)
    print("\n| process | chunks | passages | busy wall s | CPU s | gaps s | idle at the end s |")
    print("|---|---|---|---|---|---|---|")
    for n, (pid, runs) in enumerate(sorted(workers.items())):
        runs.sort()
        busy = sum(e - s for s, e, *_ in runs)
        gaps = sum(b[0] - a[1] for a, b in zip(runs, runs[1:]))
        name = "this process" if pid == os.getpid() else f"worker {n + 1}"
        print(
            f"| {name} | {len(runs)} | {sum(r[3] for r in runs):,} | {busy:.3f} | {sum(r[2] for r in runs):.3f} "
            f"| {gaps:.3f} | {last_end - runs[-1][1]:.3f} |"
        )
    if real_writer is not None:
        print(f"\nparent writing output: {written[0]:.3f} s")
    # what the run would take with a free core for every process: the CPU this process spent
    # before the first chunk (with one process, all of it) plus the busiest worker's CPU
    before = next(cpu for _, cpu, what in events if what.startswith("warm-up done")) if args.jobs > 1 else 0.0
    busiest = max(sum(r[2] for r in runs) for runs in workers.values())
    if args.jobs > 1:
        total = before + busiest
        print(f"with free cores: {before:.3f} s before the fork + {busiest:.3f} s busiest worker = {total:.3f} s")
    else:
        print(f"with a free core: {events[-1][1]:.3f} s CPU of this process")
    if args.chunks:
        print("\n| worker pid | start | end | CPU s | passages | taken by parent |\n|---|---|---|---|---|---|")
        for pid, start, end, cpu, records, taken in done:
            print(f"| {pid} | {start:.3f} | {end:.3f} | {cpu:.3f} | {records:,} | {taken:.3f} |")


if __name__ == "__main__":
    main()
