"""cctk — contracts-as-code toolkit for government contract supervision (政府合同监管工具)."""

__version__ = "0.1.0"
