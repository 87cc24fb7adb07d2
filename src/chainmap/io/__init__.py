"""Input and output beyond the graph files: atomic writes, importers, exporters."""
