"""The schema compiler: from .capnp source text to schema nodes, matching capnp 0.9.2."""
