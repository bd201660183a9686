"""The ``mlpkit`` command line."""
from __future__ import annotations

import argparse
import sys


def _info(args) -> int:
    import platform

    import numpy as np

    from . import __version__

    print(f"mlpkit {__version__} on Python {platform.python_version()}, numpy {np.__version__}")
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                print(f"BLAS: {pool.get('internal_api')} {pool.get('version')}, "
                      f"{pool.get('num_threads')} threads, kernel {pool.get('architecture')}")
    except Exception:  # threadpoolctl is optional here
        pass
    try:
        import torch

        print(f"PyTorch {torch.__version__} (optional cross-checks enabled)")
    except ImportError:
        print("PyTorch not installed (optional: `make torch`)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlpkit", description="Tools of the mlp-course.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("info", help="versions of mlpkit, numpy, the BLAS and PyTorch")
    p.set_defaults(func=_info)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
