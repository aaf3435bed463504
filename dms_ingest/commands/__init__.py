"""Command groups of the `dms` CLI; importing a module registers its commands on cli.app."""
