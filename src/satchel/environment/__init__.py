"""What is installed in an environment: an input to resolving and installing, and the output
of freeze, list, show and check.

Import rule: may import `satchel.errors`; the pure modules (model, metadata, views) take no I/O
objects. `metadata` is the one core-metadata (and WHEEL) reader, for every layer.
"""
