"""Generators of roster workbooks for testing and demonstration, kept outside the `pipeline`
package so the tool that reads rosters never ships the code that invents them.

`rostergen.samples` writes the seeded sample inbox under `input_samples/`; `bench/generate.py`
builds the benchmark's inboxes on the same tables. Both take every sheet name, header and label
from `pipeline.contract` and write through `rostergen.workbook`.
"""
