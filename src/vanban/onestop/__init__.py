"""The one-stop desk (bộ phận một cửa, R11.1–R11.3): procedures, dossiers, the citizen portal."""
