"""The cluster run: three brokers, two instances of every service, faults under load."""
