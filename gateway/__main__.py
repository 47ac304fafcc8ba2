"""`python -m gateway` is the same as the `gateway` console script."""

from __future__ import annotations

from gateway.cli.main import main

if __name__ == "__main__":
    main()
