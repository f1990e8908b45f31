"""Hypothesis strategies that build valid instances directly (no filtering).

Instances are built from a few small drawn parameters (sizes, a seed, a condition number)
so Hypothesis shrinks over those, and every instance is reproducible from them.
"""
