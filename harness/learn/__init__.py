"""Learning the wire format of an SDK whose format is not public: captures in, a pinned profile out
(``harness learn``), reviewed by a person and checked by :mod:`harness.spec.pinned`."""
