"""Executes one notebook with nbclient and exports it to HTML (used by `starcluster notebooks`).

usage: execute_notebook.py IN.ipynb OUT.ipynb OUT.html [--timeout SECONDS] [--commit PATH] [--plotly-json-limit BYTES]

Stops at the first cell that fails and prints that cell's source and its stderr output (tslab puts the real
TypeScript/runtime message there, not in the exception text). The executed notebook is written even on failure,
so the failing output can be inspected. No timing metadata is recorded, so executing again gives the same file.

--commit PATH also writes, when every cell ran, the copy that is committed to the repository: each figure keeps
its Plotly JSON and static image and loses its live HTML (a script and a second copy of the image; GitHub and
nbviewer show the image, a live session draws the figure again when the cell runs); Plotly JSON over
--plotly-json-limit bytes (default 200000: stamp galleries, mosaics) is left out too, the image standing for it.

Files are written atomically, in nbformat's own layout. Exit codes: 0 ok, 1 a cell failed, 2 usage.
"""
import argparse
import copy
import json
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbconvert import HTMLExporter

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix="." + os.path.basename(path))
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def failed_cell_report(cell, index, exc):
    # tslab writes the real message (TypeScript diagnostics, runtime stack) to the cell's stderr stream.
    stderr = "".join(o.get("text", "") for o in cell.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr")
    errors = ["%s: %s" % (o.get("ename", ""), o.get("evalue", "")) for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    detail = (stderr or "\n".join(errors) or str(exc)).strip()
    return "cell %d failed:\n--- source ---\n%s\n--- error ---\n%s" % (index, cell.source, detail)


def committed_copy(nb, plotly_json_limit):
    """The executed notebook as committed: figures as Plotly JSON + static image, no per-run metadata."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY_MIME not in data:
                continue
            data.pop("text/html", None)
            if len(json.dumps(data[PLOTLY_MIME])) > plotly_json_limit:
                del data[PLOTLY_MIME]
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("src")
    p.add_argument("out_nb")
    p.add_argument("out_html")
    p.add_argument("--timeout", type=int, default=None)
    p.add_argument("--commit", default=None)
    p.add_argument("--plotly-json-limit", type=int, default=200000)
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    nb = nbformat.read(args.src, as_version=4)
    failed = {}
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="tslab", allow_errors=False, record_timing=False,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.src))}},
                            on_cell_error=lambda cell, cell_index, execute_reply: failed.update(cell=cell, index=cell_index))
    status = 0
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as e:
        report = failed_cell_report(failed["cell"], failed["index"], e) if failed else str(e)
        print("%s: %s" % (args.src, report), file=sys.stderr)
        status = 1
    write_atomic(args.out_nb, nbformat.writes(nb))
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    write_atomic(args.out_html, html)
    if args.commit and status == 0:
        write_atomic(args.commit, nbformat.writes(committed_copy(nb, args.plotly_json_limit)) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
