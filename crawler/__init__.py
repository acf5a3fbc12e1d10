"""Scrapy project: one small spider per source; items only; storage in pipelines."""
