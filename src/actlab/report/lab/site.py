"""What every page builder receives: the gathered data, and links that only point at pages that exist."""

from __future__ import annotations

from dataclasses import dataclass, field

from actlab.report.lab.catalog_data import Entry
from actlab.report.lab.html import esc
from actlab.report.lab.sources import Accuracy, ExperimentPage, Missing, SearchResults


@dataclass
class Site:
    entries: list[Entry]
    accuracy: Accuracy | Missing
    experiments: list[ExperimentPage]
    experiments_problem: Missing | None
    leaderboard: list[dict] | Missing
    store: str
    full: bool = False
    search: SearchResults | Missing = field(
        default_factory=lambda: Missing("no formula search results", "actlab search --budget 200"))
    figures: dict[tuple[str, str], str] = field(default_factory=dict)  # (experiment, file name) -> path in the site

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def experiment(self, name: str) -> ExperimentPage | None:
        return next((p for p in self.experiments if p.name == name), None)

    def exp_link(self, name: str, label: str | None = None, depth: int = 0) -> str:
        """A link to an experiment's page, or to the experiments index when this build has no page for it."""
        up = "../" * depth
        page = self.experiment(name)
        text = esc(label or (page.title if page else name))
        if page is None:
            return f'<a href="{up}experiments.html">{text}</a> <span class="muted">(not in this build)</span>'
        return f'<a href="{up}experiments/{esc(name)}.html">{text}</a>'

    def act_link(self, name: str, depth: int = 0) -> str:
        up = "../" * depth
        if name in self.names:
            return f'<a href="{up}catalog.html#act-{esc(name)}"><code>{esc(name)}</code></a>'
        return f"<code>{esc(name)}</code>"

    def verdict_badge(self, name: str) -> str:
        page = self.experiment(name)
        if page is None or not page.ran:
            return '<span class="badge">not run yet</span>'
        return f'<span class="badge {status_class(page.status)}">{esc(page.status)}</span>'


def status_class(status: str) -> str:
    return {"confirmed": "yes held", "partly": "mixed", "not confirmed": "failed"}.get(status, "")
