"""`gateway run`: the scheduled daemon (config, scheduler, lifecycle, logging)."""
