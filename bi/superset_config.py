"""Superset configuration for `make bi`: metadata in SUPERSET_HOME (gitignored), nothing leaves the machine."""

import os

SUPERSET_HOME = os.environ["SUPERSET_HOME"]
SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY", "communique-local-only-not-a-secret")
SQLALCHEMY_DATABASE_URI = f"sqlite:///{SUPERSET_HOME}/superset.db"
WTF_CSRF_ENABLED = True
TALISMAN_ENABLED = False
FEATURE_FLAGS = {"DASHBOARD_RBAC": False}
PREVENT_UNSAFE_DB_CONNECTIONS = False  # the DuckDB file is a local path
SQLLAB_CTAS_NO_LIMIT = True
