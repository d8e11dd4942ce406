"""Renderers: everything a person reads, made from a finished Report or a unit's view.

- `vn`: Vietnamese number, date and name-order formatting (also the Jinja filters);
- `pdf`: the one Jinja environment and WeasyPrint, HTML → PDF;
- `chart`: the admissions chart as SVG;
- `committee`: the committee's quarterly report;
- `unit_pdf`: a cell's feedback report; `annotate`: its workbook returned with the issues marked.
"""
