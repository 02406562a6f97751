"""Which Python, and what it is: find interpreters (`-p 3.12`, paths, PATH, pyenv), probe one
with a stdlib-only script run inside it, and cache the answer by path, size and mtime.

Import rule: may import `satchel.errors` and `satchel.cache`; nothing downstream.
"""
