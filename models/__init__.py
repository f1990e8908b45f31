"""Parametrizations and training dynamics: pure numpy/scipy, no knowledge of claims."""
