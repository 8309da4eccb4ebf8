"""Entry point of `python -m server.poverty`."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.exit(main())
