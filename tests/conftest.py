"""The suite's fixtures live in the shared harness (tests/harness/fixtures.py)."""

pytest_plugins = ["tests.harness.fixtures"]
