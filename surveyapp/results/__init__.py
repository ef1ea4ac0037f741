"""Reads: the figures of a campaign, computed from the answer tallies (and, for the
statistics that need whole answer patterns, from a bounded sample of rows)."""
