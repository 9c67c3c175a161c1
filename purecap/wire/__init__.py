"""The Cap'n Proto wire format: segments, framing, packing, pointers, readers and builders.

This layer knows nothing of schemas: it reads and writes structs and lists by offset and size.
"""
