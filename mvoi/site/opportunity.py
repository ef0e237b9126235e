"""The opportunity measure of the product and sector cards (docs/site.md).

Where does MVOI buy the most? Where a lot is spent (or emitted) and few tenders carry MVOI
criteria. For a product group (or sector) g, over the years shown:

    spend share       s_g = spend_g / total spend                 (0..1)
    emissions share   e_g = emissions_g / total emissions          (0..1)
    uptake            u_g = awarded tenders with criteria / awarded tenders   (0..1;
                            0 when g had no awarded tender: no uptake is known)
    opportunity       O_g = max(s_g, e_g) x (1 - u_g)              (0..1, shown x 100)

The larger of the two shares, so a group that is cheap but emission-heavy (or the reverse)
still counts: O_g is the part of the national spend (or emissions, whichever is larger for g)
that sits in g and is not yet reached by criteria. The ranking orders by O_g, then by spend.
Negative totals (credit notes only) count as 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CardTotals:
    """The measures of one product group or sector that the opportunity needs."""

    card_id: str
    spend_eur: float
    emissions_t_co2e: float
    awarded_tenders: int
    awarded_tenders_with_criteria: int


@dataclass(frozen=True)
class Opportunity:
    card_id: str
    spend_share: float
    emissions_share: float
    uptake: float
    score: float
    rank: int


def _positive(value: float | None) -> float:
    return max(float(value or 0), 0.0)


def uptake(awarded: int, with_criteria: int) -> float:
    """Share (0..1) of the awarded tenders that carry MVOI criteria; 0 without tenders."""
    return min(with_criteria / awarded, 1.0) if awarded else 0.0


def opportunities(cards: Iterable[CardTotals]) -> list[Opportunity]:
    """Every card with its shares, uptake and opportunity score, ranked (1 = largest)."""
    cards = list(cards)
    total_spend = sum(_positive(c.spend_eur) for c in cards)
    total_emissions = sum(_positive(c.emissions_t_co2e) for c in cards)
    scored = []
    for card in cards:
        spend_share = _positive(card.spend_eur) / total_spend if total_spend else 0.0
        emissions_share = _positive(card.emissions_t_co2e) / total_emissions if total_emissions else 0.0
        u = uptake(card.awarded_tenders, card.awarded_tenders_with_criteria)
        scored.append((card, spend_share, emissions_share, u, max(spend_share, emissions_share) * (1 - u)))
    scored.sort(key=lambda t: (-t[4], -_positive(t[0].spend_eur), t[0].card_id))
    return [
        Opportunity(card.card_id, spend_share, emissions_share, u, score, rank)
        for rank, (card, spend_share, emissions_share, u, score) in enumerate(scored, start=1)
    ]
