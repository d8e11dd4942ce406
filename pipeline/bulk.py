"""Running the bulk stages (reading, validating, writing thousands of rows) without the cyclic
garbage collector."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused_gc():
    """No cyclic garbage collection inside the block. Reading and validating build millions of
    small objects that form no cycles; the collector would walk all of them again and again
    (a third of the time spent taking many files' rows back from the workers), and WeasyPrint
    makes hundreds of thousands of short-lived objects per report. Collected once, after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
