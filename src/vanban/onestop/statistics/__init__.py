"""One-stop statistics (spec §10, issue 12 point 7): the figures of a period by procedure, agency,
sector or channel, on a staff page and as XLSX, counted in one SQL pass by the rules of
``onestop.core.ontime``."""
