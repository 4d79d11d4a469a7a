"""Bridges to other tools: Dask DataFrames."""
