"""The generated modules are imported by the tests that use them, not collected as tests
(``generated/test_capnp.py`` is the module of ``test.capnp``, not a test file)."""

collect_ignore_glob = ["generated/*"]
