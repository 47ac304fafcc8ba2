"""The denial worklist: one row per denied or partly denied claim line, with what to do next."""
