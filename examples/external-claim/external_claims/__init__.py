"""An example claim package for implicit-bias-claims (see README.md)."""
