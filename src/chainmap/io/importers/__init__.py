"""Importers: public datasets to chainmap graph data (dicts in the graph-file format)."""
