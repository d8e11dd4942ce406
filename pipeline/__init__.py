"""Quarterly Party-member-development report from the cells' roster workbooks."""

__version__ = "0.1.0"
