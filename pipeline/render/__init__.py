"""Renderers: everything a person reads, made from a finished Report.

- `vn`: Vietnamese number, date and name-order formatting (also the Jinja filters);
- `chart`: the admissions chart as SVG;
- `committee`: the committee's quarterly report, HTML → PDF.
"""
