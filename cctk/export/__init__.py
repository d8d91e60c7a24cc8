"""Disclosure and hand-offs: the OCDS 1.1 release package (``ocds``), the payment-system export
(``payments``) and the static public register (``publish``)."""
