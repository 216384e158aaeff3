"""Medical terminologies shipped as data (CTCAE v5.0 with MedDRA codes), read offline."""
