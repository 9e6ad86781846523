"""`make bench`: the whole system on this machine, measured against its raw parts."""
