"""Executes one notebook with nbclient and exports it to HTML (used by `starcluster notebooks`).

usage: execute_notebook.py IN.ipynb OUT.ipynb OUT.html [--timeout SECONDS]

Stops at the first cell that fails and prints that cell's source and its stderr output (tslab puts the real
TypeScript/runtime message there, not in the exception text). The executed notebook is written even on failure,
so the failing output can be inspected. Files are written atomically. Exit codes: 0 ok, 1 a cell failed, 2 usage.
"""
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbconvert import HTMLExporter


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


def main(argv):
    if len(argv) not in (4, 6) or (len(argv) == 6 and argv[4] != "--timeout"):
        print(__doc__, file=sys.stderr)
        return 2
    src, out_nb, out_html = argv[1:4]
    timeout = int(argv[5]) if len(argv) == 6 else None
    nb = nbformat.read(src, as_version=4)
    failed = {}
    client = NotebookClient(nb, timeout=timeout, kernel_name="tslab", allow_errors=False,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
                            on_cell_error=lambda cell, cell_index, execute_reply: failed.update(cell=cell, index=cell_index))
    status = 0
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError) as e:
        report = failed_cell_report(failed["cell"], failed["index"], e) if failed else str(e)
        print("%s: %s" % (src, report), file=sys.stderr)
        status = 1
    write_atomic(out_nb, nbformat.writes(nb))
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    write_atomic(out_html, html)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
