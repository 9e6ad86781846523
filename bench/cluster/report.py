"""The run's printed account: what it stopped, when, and what it counted."""

import time

from bench.cluster.audit import Capacity, Counts, Delays, Fault, Recovery, percentile


def say(message: str) -> None:
    """One line of the run's narration."""
    print(f"[cluster-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


def clock(at: float, origin: float) -> str:
    """A moment as wall time and seconds into the fault phase."""
    return f"{time.strftime('%H:%M:%S', time.localtime(at))} (t+{at - origin:5.1f} s)"


def print_faults(faults: list[Fault], origin: float) -> None:
    """What the run did, in order."""
    print("\nfaults injected under load:")
    for fault in faults:
        print(f"  {clock(fault.at, origin)}  {fault.what}")


def print_counts(counts: Counts) -> None:
    """The tallies."""
    rows = [
        ("reports sent", counts.sent),
        ("answered 202", counts.answered),
        ("not answered 202 after every retry", counts.not_answered),
        (
            "answered reports with exactly one case",
            counts.with_case - len(counts.duplicate_cases),
        ),
        ("LOST: answered, no case", len(counts.lost)),
        ("DUPLICATE: more than one case", len(counts.duplicate_cases)),
        ("cases without case.dispatched", len(counts.missing_dispatched)),
        ("cases with two distinct case.dispatched", len(counts.double_dispatched)),
        ("cases whose department got no alert", len(counts.missing_alert)),
        ("cases alerted under two event ids", len(counts.double_alert)),
        ("case.dispatched copies read (repeats dropped by id)", counts.dispatched_copies),
        ("department alert copies read (repeats dropped by id)", counts.alert_copies),
        ("unanswered reports that still became a case", counts.unanswered_with_case),
    ]
    print("\ncounts:")
    for label, value in rows:
        print(f"  {label:<55} {value:>7}")


def print_delays(title: str, found: Delays) -> None:
    """Percentiles of one set of delays, in milliseconds."""

    def line(name: str, values: list[float]) -> str:
        figures = "  ".join(
            f"{label} {percentile(values, q) * 1000:7.0f}"
            for label, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))
        )
        return f"    {name:<18} n={len(values):<5} {figures}  ms"

    print(f"  {title}")
    print(line("202 -> case", found.to_case))
    print(line("202 -> alert", found.to_alert))


def print_recoveries(recoveries: list[Recovery], origin: float) -> None:
    """How soon work went on after each fault."""
    print(
        "\nafter each fault (worst delay: reports answered from 2 s before to 20 s after):"
    )
    for r in recoveries:
        print(f"  {clock(r.fault.at, origin)}  {r.fault.what}")
        print(
            f"    next case {r.next_case_s:6.2f} s, next alert {r.next_alert_s:6.2f} s; "
            f"worst 202->case {r.worst_to_case_s:6.2f} s, "
            f"worst 202->alert {r.worst_to_alert_s:6.2f} s"
        )


def print_capacity(found: Capacity, instances: int) -> None:
    """Closed-loop throughput, for the whole fleet and per instance of a service."""
    print("\ncapacity (closed loop, every instance up, 3 brokers, this machine):")
    print(f"  reports accepted          {found.reports}")
    print(f"  accepted by intake        {found.accepted_per_s:7.1f} reports/s")
    print(f"  carried to the alert      {found.completed_per_s:7.1f} reports/s")
    print(
        f"  per instance of a service {found.completed_per_s / instances:7.1f} reports/s "
        f"({instances} instances share the same cores)"
    )
