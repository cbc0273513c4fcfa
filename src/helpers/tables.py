"""The data contract: every table the generator writes, its columns, types, units and meaning.

This module is the single source of truth for table layouts. The generator builds frames in
this column order, ``validate`` checks them (pandera), and the data dictionary that ships with
each dataset is rendered from it. Conventions used throughout:

* durations are in **seconds** (``*_s`` columns), money in **Australian dollars** (``*_aud``);
* timestamps are naive local times of the contact centre (``Australia/Sydney`` wall clock), the
  customer's own time zone is in ``customers.timezone``;
* ids are strings with a prefix (``C0000001`` customers, ``A0001`` agents, ``K0000001`` calls ...);
* an abandoned call has ``abandoned == True``, no ``answered_at``/``agent_id`` and zero talk, hold
  and wrap; its ``wait_s`` is the time the caller waited before hanging up.

Safe synthetic identities: e-mail domains are the reserved names of RFC 2606/6761
(``example.com``, ``example.net``, ``example.org``); landlines use ACMA's fictitious ranges
(``0X 5550 xxxx``, ``0X 7010 xxxx``); mobiles use ACMA's fictitious mobile range ``0491 570 xxx``
(extended to ``0491 57x xxx`` to give enough distinct numbers: documented choice, never allocated
to a real service at the time of writing).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "string", "int64", "float64", "bool", "datetime64[ns]", "date", "category"
    unit: str
    meaning: str
    nullable: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    key: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name, dtype, unit, meaning, nullable=False):
    return Column(name, dtype, unit, meaning, nullable)


_CONSENT_CHANNELS = ("email", "sms", "phone", "post")


def _consent_columns() -> tuple[Column, ...]:
    cols = []
    for ch in _CONSENT_CHANNELS:
        cols += [
            _c(f"consent_{ch}", "string", "express|inferred|none|withdrawn",
               f"Marketing consent for {ch}: express (opt-in), inferred (existing relationship), none, or withdrawn"),
            _c(f"consent_{ch}_source", "string", "", f"Where the {ch} consent was captured (web form, call, branch, ...)", True),
            _c(f"consent_{ch}_date", "datetime64[ns]", "local time", f"When the {ch} consent was given", True),
        ]
    return tuple(cols)


TABLES: dict[str, Table] = {t.name: t for t in (
    Table("customers", "Customers of the case-study organisation: the marketing database's master records.", "customer_id", (
        _c("customer_id", "string", "", "Customer key, e.g. C0000001"),
        _c("first_name", "string", "", "Given name"),
        _c("last_name", "string", "", "Family name"),
        _c("date_of_birth", "datetime64[ns]", "date", "Date of birth", True),
        _c("occupation", "string", "", "Occupation as stated by the customer", True),
        _c("segment", "string", "", "Marketing segment (from the case study's segments)"),
        _c("email", "string", "", "E-mail address (reserved example domains only)", True),
        _c("mobile", "string", "AU format 04xx xxx xxx", "Mobile number", True),
        _c("landline", "string", "AU format (0X) xxxx xxxx", "Landline number", True),
        _c("residential_street", "string", "", "Residential street address"),
        _c("residential_suburb", "string", "", "Residential suburb"),
        _c("residential_state", "string", "NSW|VIC|QLD|SA|WA|TAS|NT|ACT", "Residential state or territory"),
        _c("residential_postcode", "string", "4 digits", "Residential postcode (consistent with the state)", True),
        _c("postal_street", "string", "", "Postal address (street or PO Box)"),
        _c("postal_suburb", "string", "", "Postal suburb"),
        _c("postal_state", "string", "NSW|VIC|QLD|SA|WA|TAS|NT|ACT", "Postal state or territory"),
        _c("postal_postcode", "string", "4 digits", "Postal postcode", True),
        _c("business_name", "string", "", "Business name for business customers", True),
        _c("business_street", "string", "", "Business street address", True),
        _c("business_suburb", "string", "", "Business suburb", True),
        _c("business_state", "string", "", "Business state or territory", True),
        _c("business_postcode", "string", "4 digits", "Business postcode", True),
        _c("timezone", "string", "IANA tz", "Customer's local time zone (from residential state), for permitted calling hours"),
        _c("joined_at", "datetime64[ns]", "local time", "When the customer relationship began"),
        _c("status", "string", "active|churned", "Relationship status at the end of the period"),
        _c("churned_at", "datetime64[ns]", "local time", "When the customer left (churned customers only)", True),
        _c("data_source", "string", "", "Where the record came from (APP 7.6: source of personal information)"),
        *_consent_columns(),
        _c("dncr_registered", "bool", "", "Phone number listed on the Do Not Call Register at the last wash"),
        _c("dncr_washed_at", "datetime64[ns]", "local time", "When the number was last washed against the Register", True),
        _c("dncr_wash_ref", "string", "", "Reference of the last Register wash", True),
        _c("unsubscribed_at", "datetime64[ns]", "local time", "When an unsubscribe request was received", True),
        _c("unsubscribe_actioned_at", "datetime64[ns]", "local time",
           "When the unsubscribe was actioned (Spam Act 2003: within 5 working days)", True),
        _c("created_at", "datetime64[ns]", "local time", "When the record was created"),
        _c("updated_at", "datetime64[ns]", "local time", "When the record was last changed"),
    )),
    Table("products", "Products and services sold by the organisation (from the case study).", "product_id", (
        _c("product_id", "string", "", "Product key"),
        _c("name", "string", "", "Product name"),
        _c("category", "string", "", "Product category"),
        _c("price_aud", "float64", "AUD", "List price (per month for plans, once for one-off products)"),
        _c("billing", "string", "monthly|once", "How the price is charged"),
        _c("margin_pct", "float64", "%", "Gross margin as a percentage of price"),
    )),
    Table("holdings", "Products and services each customer currently or previously held.", "holding_id", (
        _c("holding_id", "string", "", "Holding key"),
        _c("customer_id", "string", "", "Customer (customers.customer_id)"),
        _c("product_id", "string", "", "Product (products.product_id)"),
        _c("started_at", "datetime64[ns]", "local time", "When the customer took up the product"),
        _c("ended_at", "datetime64[ns]", "local time", "When the holding ended (empty while current)", True),
        _c("status", "string", "current|ended", "Whether the product is still held"),
    )),
    Table("campaigns", "Marketing and retention campaigns (from the case study plus earlier ones).", "campaign_id", (
        _c("campaign_id", "string", "", "Campaign key"),
        _c("name", "string", "", "Campaign name"),
        _c("kind", "string", "acquisition|cross-sell|retention|win-back|service", "Purpose of the campaign"),
        _c("channel", "string", "phone|email|sms|post", "Outbound channel"),
        _c("product_id", "string", "", "Product offered", True),
        _c("start", "datetime64[ns]", "local time", "First day"),
        _c("end", "datetime64[ns]", "local time", "Last day"),
        _c("budget_aud", "float64", "AUD", "Campaign budget"),
        _c("inbound_uplift", "float64", "ratio", "Multiplier on inbound sales-queue arrivals while the campaign runs"),
    )),
    Table("offers", "Offers made to customers (previous offers) and their responses.", "offer_id", (
        _c("offer_id", "string", "", "Offer key"),
        _c("customer_id", "string", "", "Customer offered"),
        _c("campaign_id", "string", "", "Campaign the offer belongs to"),
        _c("product_id", "string", "", "Product offered", True),
        _c("channel", "string", "phone|email|sms|post", "Channel used"),
        _c("offered_at", "datetime64[ns]", "local time", "When the offer was made"),
        _c("response", "string", "accepted|declined|no_response|opted_out", "Customer's response"),
        _c("responded_at", "datetime64[ns]", "local time", "When the customer responded", True),
        _c("value_aud", "float64", "AUD", "First-year revenue of an accepted offer (0 otherwise)"),
    )),
    Table("agents", "Contact-centre agents and team leaders.", "agent_id", (
        _c("agent_id", "string", "", "Agent key, e.g. A0001"),
        _c("first_name", "string", "", "Given name"),
        _c("last_name", "string", "", "Family name"),
        _c("team", "string", "", "Team name"),
        _c("role", "string", "agent|team_leader", "Role"),
        _c("skills", "string", "comma-separated queue names", "Queues the agent can answer"),
        _c("employment", "string", "full_time|part_time|casual", "Employment type"),
        _c("hired_at", "datetime64[ns]", "local time", "Start date"),
        _c("hourly_cost_aud", "float64", "AUD/hour", "Fully loaded hourly cost"),
    )),
    Table("shifts", "Rostered shifts with actual log-in and log-out.", "shift_id", (
        _c("shift_id", "string", "", "Shift key"),
        _c("agent_id", "string", "", "Agent"),
        _c("date", "datetime64[ns]", "date", "Day of the shift"),
        _c("rostered_start", "datetime64[ns]", "local time", "Rostered start"),
        _c("rostered_end", "datetime64[ns]", "local time", "Rostered end"),
        _c("logged_in_s", "float64", "seconds", "Time logged in and available or busy on calls"),
        _c("shrinkage_s", "float64", "seconds", "Rostered time lost to breaks, training, meetings and absence"),
        _c("absent", "bool", "", "Whole-shift absence (unplanned leave)"),
        _c("login_at", "datetime64[ns]", "local time",
           "When the agent logged in to the phones (schedule adherence: later than rostered_start is late)", True),
        _c("logout_at", "datetime64[ns]", "local time",
           "When the agent logged out (earlier than rostered_end is early); empty for an absence", True),
    )),
    Table("calls", "Inbound call detail records from the queue simulation, one row per call offered.", "call_id", (
        _c("call_id", "string", "", "Call key, e.g. K0000001"),
        _c("queue", "string", "", "Queue (supply chain) the call was offered to"),
        _c("customer_id", "string", "", "Caller (empty for unidentified callers)", True),
        _c("arrived_at", "datetime64[ns]", "local time", "When the call entered the queue"),
        _c("answered_at", "datetime64[ns]", "local time", "When an agent answered (empty if abandoned or lost)", True),
        _c("ended_at", "datetime64[ns]", "local time", "When the call ended (hang-up, after talk and hold; wrap follows)"),
        _c("wait_s", "float64", "seconds", "Time in queue before answer or abandonment"),
        _c("abandoned", "bool", "", "Caller hung up before being answered"),
        _c("talk_s", "float64", "seconds", "Talk time (0 if not answered)"),
        _c("hold_s", "float64", "seconds", "Hold time during the call (0 if not answered)"),
        _c("wrap_s", "float64", "seconds", "After-call work (0 if not answered)"),
        _c("agent_id", "string", "", "Agent who answered", True),
        _c("reason", "string", "", "Reason for the call (from the queue's reasons)"),
        _c("outcome", "string", "resolved|unresolved|sale|no_sale|callback|abandoned|lost",
           "Result of the call; 'lost' = rejected while telephony/IVR was down"),
        _c("campaign_id", "string", "", "Campaign that prompted the call, if any", True),
        _c("incident_id", "string", "", "System incident in force when the call arrived, if any", True),
        _c("is_repeat", "bool", "", "Same customer called about the same reason within the previous 7 days"),
    )),
    Table("sales", "Sales made on calls.", "sale_id", (
        _c("sale_id", "string", "", "Sale key"),
        _c("call_id", "string", "", "Call on which the sale was made"),
        _c("customer_id", "string", "", "Customer"),
        _c("agent_id", "string", "", "Agent"),
        _c("product_id", "string", "", "Product sold"),
        _c("campaign_id", "string", "", "Campaign credited", True),
        _c("sold_at", "datetime64[ns]", "local time", "When the sale was made"),
        _c("revenue_aud", "float64", "AUD", "First-year revenue"),
    )),
    Table("surveys", "Post-call surveys (CSAT 1-5, NPS 0-10) with verbatim comments.", "survey_id", (
        _c("survey_id", "string", "", "Survey key"),
        _c("call_id", "string", "", "Call surveyed"),
        _c("customer_id", "string", "", "Respondent"),
        _c("sent_at", "datetime64[ns]", "local time", "When the survey was sent"),
        _c("responded", "bool", "", "Whether the customer answered"),
        _c("csat", "float64", "1-5", "Satisfaction score, 5 = very satisfied (empty if no response)", True),
        _c("nps", "float64", "0-10", "Likelihood to recommend (empty if no response)", True),
        _c("verbatim", "string", "", "Free-text comment", True),
        _c("topic", "string", "", "Topic the comment was composed from (ground truth for categorisation)", True),
        _c("sentiment", "string", "positive|neutral|negative", "Sentiment of the comment", True),
    )),
    Table("complaints", "Complaints received, with verbatims and resolution.", "complaint_id", (
        _c("complaint_id", "string", "", "Complaint key"),
        _c("customer_id", "string", "", "Complainant"),
        _c("call_id", "string", "", "Call that raised it", True),
        _c("received_at", "datetime64[ns]", "local time", "When received"),
        _c("channel", "string", "phone|email|web|letter", "How it was received"),
        _c("category", "string", "", "Category (ground truth)"),
        _c("verbatim", "string", "", "Customer's words"),
        _c("severity", "string", "low|medium|high", "Severity"),
        _c("resolved_at", "datetime64[ns]", "local time", "When resolved (empty while open)", True),
        _c("escalated_external", "bool", "", "Escalated to an external dispute body (e.g. an ombudsman)"),
        _c("acknowledged_at", "datetime64[ns]", "local time",
           "When receipt was acknowledged to the customer (policy: within the case study's acknowledge_working_days)"),
        _c("investigation_started_at", "datetime64[ns]", "local time", "When a case officer started investigating"),
        _c("escalated_internal_at", "datetime64[ns]", "local time",
           "When escalated to internal dispute resolution (not resolved within the policy's working days, or "
           "at the customer's request); empty if never", True),
        _c("escalated_external_at", "datetime64[ns]", "local time",
           "When the customer took it to the external dispute body (energy ombudsman); empty if never", True),
        _c("status", "string", "resolved|escalated_internal|escalated_external|open",
           "Where the complaint stands at the end of the period (escalated_*: escalated and still open)"),
    )),
    Table("budget", "The centre's budget by month of the financial year with actuals to date (the business "
          "plan's money side).", "budget_id", (
        _c("budget_id", "string", "", "Row key: month and line, e.g. B2505-03"),
        _c("month", "datetime64[ns]", "first day of the month", "Month"),
        _c("line", "string", "", "Budget line"),
        _c("category", "string", "labour|technology|training|marketing|quality|premises|other", "Kind of cost"),
        _c("budget_aud", "float64", "AUD", "Budgeted amount for the month"),
        _c("actual_aud", "float64", "AUD",
           "Actual spend (empty for months not yet closed; labour in the case-study period follows the shifts "
           "worked, marketing the campaigns started)", True),
    )),
    Table("options", "Options the manager could choose, with their costs and the effect their business case "
          "claims.", "option_id", (
        _c("option_id", "string", "", "Option key"),
        _c("name", "string", "", "What would be done"),
        _c("one_off_aud", "float64", "AUD", "One-off cost (set-up, recruitment, licences)"),
        _c("monthly_aud", "float64", "AUD", "Running cost per month"),
        _c("annual_cost_aud", "float64", "AUD", "Cost in the first 12 months: one-off + 12 x monthly"),
        _c("kpi", "string", "", "KPI the option is meant to move"),
        _c("expected_effect", "string", "", "Effect claimed by the business case (to be tested, not a fact)"),
    )),
    Table("qa_evaluations", "Quality-assurance evaluations: team leaders score sampled answered calls on the "
          "centre's form (0 = not met, 1 = partly met, 2 = met per item).", "evaluation_id", (
        _c("evaluation_id", "string", "", "Evaluation key, e.g. Q00001"),
        _c("call_id", "string", "", "Call evaluated (calls.call_id)"),
        _c("agent_id", "string", "", "Agent evaluated (agents.agent_id)"),
        _c("evaluator_id", "string", "", "Team leader who evaluated (agents.agent_id, role team_leader)"),
        _c("evaluated_at", "datetime64[ns]", "local time", "When the evaluation was completed"),
        _c("greeting", "int64", "0-2", "Greeting and introduction"),
        _c("verification", "int64", "0-2", "Identity verified before account details (privacy; critical)"),
        _c("needs_analysis", "int64", "0-2", "Questions to understand the customer's need"),
        _c("resolution", "int64", "0-2", "Correct and complete solution or next step"),
        _c("compliance", "int64", "0-2", "Required disclosures and hardship or vulnerability obligations (critical)"),
        _c("empathy", "int64", "0-2", "Tone, empathy and ownership"),
        _c("wrap_notes", "int64", "0-2", "Accurate wrap code and account notes"),
        _c("score", "float64", "% (0-100)", "Sum of the items as a percentage of the maximum"),
        _c("critical_fail", "bool", "", "A critical item (verification or compliance) scored 0"),
    )),
    Table("journeys", "Contact journeys across channels, one row per step: the IVR session before each call, the "
          "call, IVR self-service, web chats, e-mails and outbound callbacks (what really happened; the MIS "
          "records are in mis_events).", "step_id", (
        _c("step_id", "string", "", "Step key, e.g. S00000001"),
        _c("contact_id", "string", "", "Contact (journey) key, e.g. J0000001: all steps of one contact"),
        _c("step_no", "int64", "1, 2, ...", "Position of the step in its contact's journey"),
        _c("customer_id", "string", "", "Customer or account (empty when not identified)", True),
        _c("channel", "string", "ivr|voice|chat|email|callback", "Channel of the step"),
        _c("step", "string", "ivr_menu|ivr_self_service|queue_call|chat|email|outbound_call", "What the step is"),
        _c("started_at", "datetime64[ns]", "local time",
           "Start: IVR session start, call arrival in the queue, chat request, e-mail received, callback dialled"),
        _c("answered_at", "datetime64[ns]", "local time",
           "When an agent took it (call or chat answered, e-mail reply started); empty otherwise", True),
        _c("ended_at", "datetime64[ns]", "local time", "End of the step (empty for an e-mail still open)", True),
        _c("queue", "string", "", "Queue (supply chain) of the step", True),
        _c("ivr_option", "string", "", "IVR menu key chosen (IVR steps; empty if the menu was bypassed)", True),
        _c("reason", "string", "", "Reason for the contact (empty for IVR-only steps)", True),
        _c("outcome", "string", "",
           "IVR: routed, self_service_completed, self_service_failed, abandoned_in_ivr, hung_up_on_message, "
           "redirected_no_menu; calls: as calls.outcome; chat: resolved, unresolved, callback, abandoned; e-mail: "
           "resolved, unresolved, callback, open; callback: resolved, unresolved, no_answer"),
        _c("transfer_target", "string", "",
           "Where the contact went next: a queue (IVR to queue) or 'callback'; empty if the journey ends", True),
        _c("call_id", "string", "", "The call (calls.call_id) for queue_call steps", True),
    )),
    Table("mis_events", "What the management information systems recorded at each measurement point (ACD, IVR, "
          "chat platform, e-mail ticketing, CRM wrap codes), with each system's own clock and the faults real "
          "systems have.", "event_id", (
        _c("event_id", "string", "", "Record key, e.g. E00000001"),
        _c("system", "string", "acd|ivr|chat|ticketing|crm", "System that wrote the record"),
        _c("event", "string", "",
           "ivr_session, call_offered, outbound_call (acd), chat_session, email_received, email_replied, wrap_code"),
        _c("contact_id", "string", "", "Contact the record belongs to (journeys.contact_id), as the CRM links it"),
        _c("call_id", "string", "", "ACD call reference (calls.call_id) for voice records", True),
        _c("channel", "string", "ivr|voice|chat|email|callback", "Channel measured"),
        _c("queue", "string", "", "Queue recorded (for the IVR: the queue routed to)", True),
        _c("customer_id", "string", "", "Customer recorded (empty when not identified)", True),
        _c("recorded_at", "datetime64[ns]", "local time (system clock)",
           "Timestamp written by the system (its own clock: session start, call offered, reply sent, wrap saved)"),
        _c("duration_s", "float64", "seconds",
           "Duration the system measured: IVR session, queue wait, chat wait, talk of a callback, handle time of a "
           "wrapped contact", True),
        _c("value", "string", "",
           "Result or code: IVR result, answered/abandoned, connected/no_answer, reply sent, or the wrap code "
           "(disposition) the agent chose; empty when none was saved", True),
    )),
    Table("measurement_points", "Which system measures what at each step of each contact pathway (the MIS "
          "specification).", "point_id", (
        _c("point_id", "string", "", "Measurement point key, e.g. MP01"),
        _c("channel", "string", "ivr|voice|chat|email|callback", "Channel"),
        _c("step", "string", "", "Step of the pathway (journeys.step)"),
        _c("system", "string", "acd|ivr|chat|ticketing|crm", "System that records it (mis_events.system)"),
        _c("system_name", "string", "", "Product of the case study's MIS"),
        _c("event", "string", "", "Record written (mis_events.event)"),
        _c("measures", "string", "", "What the record measures"),
        _c("method", "string", "automatic|agent-entered", "How it is collected"),
    )),
    Table("traffic_history", "Daily traffic per channel and queue for the 24 months before the period (the "
          "MIS's daily summaries kept for forecasting): one row per open day, channel and queue.",
          "date, channel, queue", (
        _c("date", "datetime64[ns]", "date", "Open day (Sundays and national public holidays are closed)"),
        _c("channel", "string", "voice|chat|email", "Channel"),
        _c("queue", "string", "", "Queue (supply chain) the contacts were offered to"),
        _c("offered", "int64", "contacts", "Contacts offered that day (voice: calls not lost; e-mail: received, "
           "those of closed days counted on the next open day)"),
        _c("answered", "int64", "contacts", "Contacts answered by an agent (e-mail: replied)"),
        _c("abandoned", "int64", "contacts", "Contacts abandoned before an answer (offered - answered; 0 for e-mail)"),
        _c("answered_within_target", "int64", "contacts",
           "Answered within the service-level threshold: voice 20 s, chat 60 s, e-mail 24 h "
           "(service level = answered_within_target / answered)"),
        _c("aht_s", "float64", "seconds",
           "Mean handle time of the answered contacts (voice: talk + hold + wrap); empty if none answered", True),
    )),
    Table("incidents", "System outages (planned and unplanned) and their effect.", "incident_id", (
        _c("incident_id", "string", "", "Incident key"),
        _c("system", "string", "telephony|ivr|crm|marketing_db|power|site", "System that failed"),
        _c("planned", "bool", "", "Planned maintenance window"),
        _c("start", "datetime64[ns]", "local time", "Start of the outage"),
        _c("end", "datetime64[ns]", "local time", "End of the outage"),
        _c("queues_affected", "string", "comma-separated", "Queues affected"),
        _c("description", "string", "", "What happened"),
    )),
)}


def dictionary_frame() -> pd.DataFrame:
    """The data dictionary as one long frame: table, column, type, unit, nullable, meaning."""
    rows = [
        {"table": t.name, "column": c.name, "type": c.dtype, "unit": c.unit,
         "nullable": c.nullable, "meaning": c.meaning}
        for t in TABLES.values() for c in t.columns
    ]
    return pd.DataFrame(rows)


def dictionary_markdown() -> str:
    """The data dictionary rendered as Markdown (one section per table)."""
    out = ["# Data dictionary", "", __doc__.split("\n\n", 1)[1].strip(), ""]
    for t in TABLES.values():
        out += [f"## `{t.name}`", "", t.meaning, f"Key: `{t.key}`", "",
                "| column | type | unit | nullable | meaning |", "|---|---|---|---|---|"]
        out += [f"| `{c.name}` | {c.dtype} | {c.unit} | {'yes' if c.nullable else 'no'} | {c.meaning} |"
                for c in t.columns]
        out.append("")
    return "\n".join(out)
