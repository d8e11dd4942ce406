"""Feedback packages, one per cell: `views` (what a package shows), `cache` (what it is made
from, and reuse), `packages` (making them all, on an executor)."""
