"""Text and JSON encodings of messages, read and written through a schema.

:mod:`~purecap.formats.textparse` reads the capnp text format (the schema language's struct
literals) into a builder; printing it is :func:`purecap.dynamic.text_format`.
:mod:`~purecap.formats.json` is the JSON codec of the reference's ``compat/json.c++``.
"""
