"""Conformance of purecap against the C++ reference implementation (capnp tool, pycapnp)."""
