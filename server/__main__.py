"""`python -m server`: the language server on stdio (or --tcp HOST:PORT)."""

import argparse
from pathlib import Path

from server.app import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m server", description="codemeld language server")
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true", help="speak LSP on stdin/stdout (the default)")
    transport.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    parser.add_argument("--log-file", type=Path, help="log here instead of stderr")
    args = parser.parse_args()
    raise SystemExit(serve(args.tcp, args.log_file))  # 1 after `exit` without `shutdown`


if __name__ == "__main__":
    main()
