"""Chaos runs: faults under load, then a count of every report, event and alert."""
