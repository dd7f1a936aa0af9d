"""python -m tests.workspace_fake [--port N]: serve the stand-in until interrupted; prints its URL."""

import argparse
import sys

from .server import FakeWorkspace


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.workspace_fake", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    fake = FakeWorkspace(args.port, args.host)
    print(fake.url, flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


main()
