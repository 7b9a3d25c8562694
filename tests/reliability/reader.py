"""A reader process for test_concurrent_readers.py: query the published warehouse until told to stop.

    python tests/reliability/reader.py WAREHOUSE hold|fresh STOP_FILE > observations.jsonl

`hold` keeps one read-only connection for its whole life (an analyst's open session); `fresh`
opens a new read-only connection for every round (a BI tool reconnecting). Each round prints the
fingerprint of every table (bench.crash), or the error it got, as one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from bench.crash import connection_fingerprints, to_json


def main(path: str, mode: str, stop: Path) -> None:
    held = duckdb.connect(path, read_only=True) if mode == "hold" else None
    while True:
        last = stop.exists()  # one more round after the stop file appears
        t = time.time()
        try:
            con = held or duckdb.connect(path, read_only=True)
            try:
                state = connection_fingerprints(con)
            finally:
                if held is None:
                    con.close()
            print(json.dumps({"t": t, "state": to_json(state)}), flush=True)
        except Exception as e:  # noqa: BLE001 - every error is an observation the test fails on
            print(json.dumps({"t": t, "error": f"{type(e).__name__}: {e}"}), flush=True)
        if last:
            break


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
