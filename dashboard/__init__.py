"""Streamlit dashboard: thin pages over pure query and chart functions."""
