"""Deterministic synthetic landing data with fault injection (see docs/generator.md).

`generate(Config(...))` writes the nine landing entities and `_faults.json` into a folder.
"""

from mvoi.generator.core import MANIFEST_NAME, Config, generate

__all__ = ["MANIFEST_NAME", "Config", "generate"]
