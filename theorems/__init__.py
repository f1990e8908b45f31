"""Executable implicit-bias claims: contract, registry, strategies, engine, reports, CLI."""
