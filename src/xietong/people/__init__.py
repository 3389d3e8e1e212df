"""People who work in departments, and the officer pool (执法人员库, R-3)."""
