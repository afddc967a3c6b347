"""Formatters: pure functions from result dicts to text. No I/O here.

The caller decides colour and width (is stdout a terminal? is NO_COLOR set?)
and passes them in, so tests can render for a pipe or a terminal alike.
"""
