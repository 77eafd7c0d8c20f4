"""Learning the wire format of an SDK whose format is not public: captures in, a pinned profile out (``harness learn``)."""
