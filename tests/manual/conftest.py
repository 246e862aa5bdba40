from tests.manual_site import built_manual, built_manual_dir  # noqa: F401 (fixtures)
