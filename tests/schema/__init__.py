"""Tests of the schema compiler (purecap.schema)."""
