"""MVOI monitoring warehouse: the Python tools around the dbt project."""

__version__ = "0.1.0"
