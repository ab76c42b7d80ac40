"""Security regression tests: the attacks that held, kept so that they keep holding."""
