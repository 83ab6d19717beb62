"""Helpers shared by the test folders: fixtures (loaded as pytest plugins by the root
conftest) and the functions they are built on."""
