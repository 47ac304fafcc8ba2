"""``make mutate``: mutation testing of the parsers, writer and rule kinds (not part of make test)."""
