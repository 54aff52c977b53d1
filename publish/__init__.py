"""The side effects of the report build: fetch data, draw figures, render pages, run engines, publish."""
