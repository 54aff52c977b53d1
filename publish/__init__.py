"""The side effects of the report build: draw figures, write pages, run engines, publish the site.

The data and the settings are read by ``analysis.inputs``; this package may import all of
``analysis`` (through its faces), and nothing in ``analysis`` imports it.
"""
