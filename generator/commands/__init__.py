"""Subcommands of the `newsarchive` CLI; each module registers one (see generator.cli)."""
