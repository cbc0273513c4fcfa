"""Australian contact-centre workforce data."""
from .. import Provider as AgentProvider


class Provider(AgentProvider):
    team_names = {
        "sales": "Sales and Retention",
        "customer_service": "Customer Care",
        "billing": "Billing Support",
        "collections": "Credit and Collections",
        "fulfilment": "Connections and Fulfilment",
    }
    employment_types = {"full_time": 0.55, "part_time": 0.3, "casual": 0.15}
    # Loading on the base hourly cost: casuals carry the 25% casual loading, full-timers leave accruals.
    hourly_cost_spread = {"full_time": (0.95, 1.10), "part_time": (0.95, 1.08), "casual": (1.18, 1.30)}
