"""One module per theorem family; each registers its claims with ``theorems.registry.register``.

Every module here is imported by ``theorems.registry.all_claims`` (modules starting with ``_``
are skipped), so a new family is a new module, nothing else to edit.
"""
