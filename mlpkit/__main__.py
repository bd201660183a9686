"""``python -m mlpkit ...``: the same as the ``mlpkit`` console script."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
