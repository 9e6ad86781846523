"""The benchmark's account: one JSON file for machines, one table for people."""

import json
import math
from pathlib import Path
from typing import Any

from bench.system.phases import PhaseResult
from bench.system.raw import RawResult


def _ms(figures: dict[str, float], key: str) -> str:
    value = figures.get(key)
    return "-" if value is None or math.isnan(value) else f"{value:,.0f}"


def _rate(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1f}"


def summary(
    phases: list[PhaseResult],
    raw: RawResult,
    rss_peak: dict[str, float],
    rss_last: dict[str, float],
) -> dict[str, Any]:
    """The headline figures, named as the README and docs/scaling.md quote them."""
    by_name = {phase.name: phase for phase in phases}
    saturation = by_name.get("saturation")
    e2e = saturation.completed_per_s if saturation else math.nan

    def p99(name: str) -> float | None:
        phase = by_name.get(name)
        value = phase.to_alert_ms.get("p99") if phase else None
        return None if value is None or math.isnan(value) else value

    ratio = e2e / raw.reports_per_s if raw.reports_per_s else math.nan
    return {
        "e2e_reports_per_s": None if math.isnan(e2e) else e2e,
        "raw_chain_reports_per_s": raw.reports_per_s,
        "ratio_to_raw": None if math.isnan(ratio) else round(ratio, 3),
        "p99_ms_at_50": p99("offered-50"),
        "p99_ms_at_200": p99("offered-200"),
        "rss_mb": {name: round(mb, 1) for name, mb in sorted(rss_peak.items())},
        "rss_mb_at_end": {name: round(mb, 1) for name, mb in sorted(rss_last.items())},
    }


def write(path: Path, document: dict[str, Any]) -> None:
    """Write the results as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def table(phases: list[PhaseResult], raw: RawResult, headline: dict[str, Any]) -> str:
    """The figures as text columns."""
    lines = [
        "",
        f"{'phase':<13}{'offered':>9}{'skipped':>9}{'202':>7}{'202/s':>7}"
        f"{'alerted':>9}{'joined':>8}{'backlog':>9}{'done/s':>8}"
        f"{'202->case p50/p95/p99 ms':>28}{'202->alert p50/p95/p99 ms':>30}",
    ]
    for p in phases:
        case = "/".join(_ms(p.to_case_ms, k) for k in ("p50", "p95", "p99"))
        alert = "/".join(_ms(p.to_alert_ms, k) for k in ("p50", "p95", "p99"))
        lines.append(
            f"{p.name:<13}{p.offered:>9}{p.skipped:>9}{p.accepted:>7}"
            f"{_rate(p.accepted_per_s):>7}{p.alerted:>9}{p.joined_open_case:>8}"
            f"{p.backlog:>9}{_rate(p.completed_per_s):>8}{case:>28}{alert:>30}"
        )
    emergencies = [p for p in phases if p.emergencies]
    if emergencies:
        lines.append("")
        for p in emergencies:
            lines.append(
                f"emergencies in {p.name}: {p.emergencies}, 202->alert p50 "
                f"{_ms(p.emergency_to_alert_ms, 'p50')} ms, p99 "
                f"{_ms(p.emergency_to_alert_ms, 'p99')} ms (their own lane)"
            )
    lines += [
        "",
        f"raw chain ({raw.hops} hops, {raw.writes_per_report} writes per report, "
        f"{raw.in_chain} in the chain): {raw.reports_per_s:.1f} reports/s, delay p50 "
        f"{_ms(raw.delay_ms, 'p50')} ms, p99 {_ms(raw.delay_ms, 'p99')} ms",
        f"end to end at saturation: {_rate(headline['e2e_reports_per_s'])} reports/s; "
        f"ratio to the raw chain: {headline['ratio_to_raw']}",
        "resident memory, peak MB: "
        + ", ".join(f"{name} {mb:.0f}" for name, mb in headline["rss_mb"].items()),
    ]
    return "\n".join(lines)
