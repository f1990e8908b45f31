"""Predicted limits as optimization problems, each returning (solution, certificate)."""
