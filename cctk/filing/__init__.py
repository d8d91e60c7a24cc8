"""The filed PDF (备案 PDF): produced by ``cctk file``, verified by ``cctk verify``.

Modules: ``pdf`` (scan or rendered contract → filing stamp → embedded record → PAdES signature of the
filing office, committed with the filing record), ``keys`` (where the office certificate and its
password come from; the demo/district CA of ``cctk init``), ``verify`` (a fast, pyHanko-free check of
a filed PDF against its signature and the repository's filing).
"""
