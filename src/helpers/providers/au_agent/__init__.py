"""Contact-centre agents: names, teams by queue, employment type, hourly cost."""
from __future__ import annotations

from collections import OrderedDict

from faker.providers import BaseProvider

localized = True
default_locale = "en_AU"


class Provider(BaseProvider):
    """Logic only; ``en_AU`` supplies team names, employment mix and award-based cost ranges."""

    team_names: dict = {}
    employment_types: dict = {}
    hourly_cost_spread: dict = {}

    def agent_employment(self) -> str:
        return self.random_elements(OrderedDict(self.employment_types), length=1, use_weighting=True)[0]

    def agent_team(self, queue: str) -> str:
        return self.team_names.get(queue, queue.replace("_", " ").title())

    def agent_hourly_cost(self, base_aud: float, employment: str) -> float:
        """Fully loaded hourly cost in AUD: base times the employment type's loading, plus a spread."""
        lo, hi = self.hourly_cost_spread[employment]
        return round(base_aud * (lo + (hi - lo) * self.generator.random.random()), 2)

    def agent(self, queue: str, base_aud: float = 44.0) -> dict:
        employment = self.agent_employment()
        return {"first_name": self.generator.first_name(), "last_name": self.generator.last_name(),
                "team": self.agent_team(queue), "employment": employment,
                "hourly_cost_aud": self.agent_hourly_cost(base_aud, employment)}
