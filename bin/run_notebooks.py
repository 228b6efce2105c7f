"""Executes notebooks headless through their kernel (tslab), one kernel per notebook.

tslab sends no `error` message, so a failing cell's real error is read from its stderr.
Async errors that tslab only logs (UncaughtException:, UnhandledPromiseRejection:) fail the
notebook too. Executed notebooks (also partial ones) go to --out. Ends with
`notebooks: N passed, N failed` and exits 1 if any failed.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ASYNC_ERRORS = ("UncaughtException:", "UnhandledPromiseRejection:")


def cell_text(cell, name):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == name)


def run(path: Path, out_dir: Path, timeout: int, kernel: str | None):
    nb = nbformat.read(path, as_version=4)
    os.environ["IGR_NOTEBOOK"] = path.name  # inherited by the kernel: exported figures name their notebook
    current = {"index": None}

    def on_cell_start(cell, cell_index, **_):
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel or nb.metadata.get("kernelspec", {}).get("name", "tslab"),
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start,
        record_timing=False,
    )
    failure = None
    start = time.time()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
        failure = (current["index"], type(err).__name__, str(err).strip().splitlines()[-1] if str(err).strip() else "")
    except Exception as err:  # kernel failed to start, bad notebook JSON, ...
        failure = (current["index"], type(err).__name__, str(err))
    if failure is None:
        for i, cell in enumerate(nb.cells):
            text = cell_text(cell, "stderr") + cell_text(cell, "stdout")
            if any(marker in text for marker in ASYNC_ERRORS):
                failure = (i, "AsyncError", "an async error was logged after the cell returned (await what can fail)")
                break
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / path.name)
    return failure, time.time() - start, nb


def report(path, failure, nb):
    index, kind, message = failure
    print(f"FAIL {path} at cell {index}: {kind} {message}", flush=True)
    if index is None or index >= len(nb.cells):
        return
    cell = nb.cells[index]
    print("---- cell source ----")
    print(cell.source)
    for name in ("stderr", "stdout"):
        text = cell_text(cell, name).strip()
        if text:
            print(f"---- cell {name} ----")
            print(text[-6000:])
    print("---------------------", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--mode", choices=["quick", "full"], default=os.environ.get("NB_MODE", "quick"))
    parser.add_argument("--timeout", type=int, default=None, help="seconds per cell (default 600 quick, 36000 full)")
    parser.add_argument("--out", type=Path, default=Path("out/executed"))
    parser.add_argument("--kernel", default=None, help="kernel name (default: the notebook's own)")
    args = parser.parse_args()
    os.environ["NB_MODE"] = args.mode
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    timeout = args.timeout or (600 if args.mode == "quick" else 36000)
    paths = args.notebooks or sorted(Path("notebooks").glob("*.ipynb"))
    if not paths:
        print("notebooks: 0 passed, 0 failed (no notebooks found)")
        return 1
    passed = failed = 0
    for i, path in enumerate(paths, 1):
        print(f"[{i}/{len(paths)}] {path} ({args.mode} mode) ...", flush=True)
        failure, seconds, nb = run(path, args.out, timeout, args.kernel)
        if failure:
            failed += 1
            report(path, failure, nb)
        else:
            passed += 1
            print(f"ok   {path} in {seconds:.1f} s", flush=True)
    print(f"executed notebooks are in {args.out}/")
    print(f"notebooks: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
