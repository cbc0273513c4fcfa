"""Survey comments and complaint texts composed from a topic and a sentiment.

Every text is built from a topic phrase (which carries the topic's words, e.g. "on hold", "bill",
"installer") plus an opener and a tail that carry the sentiment, so the ``topic`` and ``sentiment``
columns are ground truth for the categorisation tasks. Topics are the contact-centre categories
learners code comments into; see ``TOPICS``.
"""
from __future__ import annotations

from faker.providers import BaseProvider

localized = True
default_locale = "en_AU"

TOPICS = ("wait_time", "staff_attitude", "billing_error", "product_fault", "delivery_fulfilment",
          "complaint_handling", "price_value", "website_app", "resolution")
SENTIMENTS = ("positive", "neutral", "negative")
KINDS = ("survey", "complaint")


class Provider(BaseProvider):
    """Logic only; ``en_AU`` supplies the phrases."""

    phrases: dict = {}           # {topic: {sentiment: (phrase, ...)}}
    openers: dict = {}           # {sentiment: (opener, ...)}
    tails: dict = {}             # {sentiment: (tail, ...)}
    complaint_openers: tuple = ()
    complaint_demands: tuple = ()

    def verbatim_topic(self) -> str:
        return self.random_element(TOPICS)

    def _phrase(self, topic: str, sentiment: str) -> str:
        if topic not in self.phrases:
            raise ValueError(f"unknown verbatim topic {topic!r}; expected one of {', '.join(TOPICS)}")
        if sentiment not in SENTIMENTS:
            raise ValueError(f"unknown sentiment {sentiment!r}; expected one of {', '.join(SENTIMENTS)}")
        return self.random_element(self.phrases[topic][sentiment]).format(n=self.random_int(12, 75))

    def verbatim(self, topic: str, sentiment: str, kind: str = "survey") -> str:
        """A survey comment (any sentiment) or a complaint text (always negative in tone)."""
        if kind == "complaint":
            core = self._phrase(topic, "negative")
            text = (f"{self.random_element(self.complaint_openers)}{core[0].upper()}{core[1:]}. "
                    f"{self.random_element(self.complaint_demands)}")
            return text.strip()
        if kind != "survey":
            raise ValueError(f"unknown verbatim kind {kind!r}; expected one of {', '.join(KINDS)}")
        core = self._phrase(topic, sentiment)
        text = f"{self.random_element(self.openers[sentiment])}{core}.{self.random_element(self.tails[sentiment])}"
        return text[0].upper() + text[1:]
