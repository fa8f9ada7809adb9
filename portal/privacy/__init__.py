"""The privacy rules: the only package that reads revenue figures or builds segment breakdowns.

The portal's promise to partners: nobody outside an organisation learns its numbers, not from one
page and not by subtracting, filtering or watching pages change (DESIGN.md, "Privacy rules").

1. **Own figures.** An organisation's revenue figures are seen live and in full only by its own
   members (and admins, audited): `own_revenue_profiles`, `own_votes`, `admin_revenue_profiles`.
2. **Cells.** The smallest published unit is a cell: one requirement's revenue at stake, or one
   requirement × one segment value (partner type, region, size band); a survey question (×
   segment). A revenue cell is shown only when (a) at least PRIVACY_MIN_ORGS organisations
   contribute a *positive* amount — for a partner viewer that many besides its own — and (b) no
   organisation contributes more than PRIVACY_MAX_SHARE of it (for a partner viewer, of the
   others' part). Shown revenue figures and medians are rounded to two significant figures. A
   count of voting organisations in a segment is shown only when it is at least the threshold.
   Within one requirement, cells are hidden further (secondary suppression) until every *atom* —
   the organisations that share the same shown cells in all three dimensions, which no sum or
   difference of shown figures can tell apart — passes (a) and (b) as a cell itself
   (`rules.atoms`, `rules.choose_cells`). This covers the whole minus the shown cells of one
   dimension, and also differences across dimensions ("VAR / SI" minus "EMEA").
3. **Composition.** A figure over several requirements (an "All" row, a segment over a filtered
   set) is the sum of *shown* released cells only, and says how many cells it leaves out. Two
   views that differ by some requirements differ by those requirements' shown cells, nothing
   else: no distinct counts, no re-aggregation of votes.
4. **Release.** Revenue and segment figures are released, not live (`release.refresh`, in the
   transaction of every vote change). Three parts move separately, each only when at least
   PRIVACY_MIN_ORGS organisations have joined, left or changed it since its own last release —
   for revenue also only when no single organisation's change makes up more than
   PRIVACY_MAX_SHARE of all the changes — at the exchange rates of that moment: the voting
   organisations per segment, the requirement's whole revenue (sum, median), and its revenue
   per segment. A segment part is released only when, in every group of organisations that this
   release and the previous one cannot tell apart, the changes pass the same test (or are none):
   otherwise a segment shown in both would move by one organisation's amount. Vote counts, the
   importance mix and the score stay live.
5. **Names.** Vendor users and admins see an organisation's name on a vote only with
   `named_to_vendor` consent; the editor never does. Quotes follow `quote_attribution`.

Worked example (threshold 5, share 0.5). Requirement R has amounts (USD) from six
organisations: A 900k (EMEA); B 300k, C 200k, D 150k, E 100k (NA); F 0 (APAC).
- F's zero does not count: five positive amounts, but A is 900k of 1,650k = 55% > 50%. Nothing
  is released (A's change would dominate the release), so R shows "fewer than 5 organisations".
- G (NA) enters 400k: six organisations changed, A's 900k is 44% of the 2,050k of changes, so R
  is released: its sum 2,050k is shown as 2,000,000 (two figures), its median 300k as 300,000.
- By region, EMEA holds A alone and is suppressed; NA (five organisations, 1,150k) passes on
  its own, but R's sum is shown, so NA is hidden too (secondary): R − NA would be A's amount
  (A would be an atom of its own).
- Partner A sees R's sum only if B…G pass without it: five organisations, the largest 400k of
  their 1,150k (35%), so A sees 2,000,000 and learns the others' sum to two figures.
- H then enters 50k: one change, nothing moves ("updates after 4 more organisations").
What a reader can still learn: a shown cell's value to two significant figures; between two
consecutive releases, the net change of at least five organisations; which organisations
consented to be named (never with a figure). Not covered: organisations colluding (they can
subtract their own known amounts), and differences between releases that are not consecutive
(a cell hidden at one release and shown again later is checked against the release just before,
not against the last one that showed it; changes that cancel out across releases can leave a
smaller net change). See the README's "honest limits".
"""

from portal.privacy.reads import (
    RequirementRevenue,
    Viewer,
    admin_revenue_profiles,
    named_organisations_for,
    order_by_revenue,
    own_revenue_profiles,
    own_votes,
    released_revenue,
    revenue_at_stake_for,
    segment_totals,
)
from portal.privacy.release import refresh
from portal.privacy.rules import (
    SEGMENTS,
    UNKNOWN,
    Attribution,
    Cell,
    Contributions,
    Shown,
    atoms,
    best_cells,
    choose_cells,
    joined,
    max_share,
    protect_breakdown,
    protect_value,
    quote_attribution,
    reason_for_viewer,
    revenue_reason,
    round_money,
    round_order_statistic,
    threshold,
)
from portal.privacy.totals import requirement_moved

__all__ = [
    "SEGMENTS",
    "UNKNOWN",
    "Attribution",
    "Cell",
    "Contributions",
    "RequirementRevenue",
    "Shown",
    "Viewer",
    "admin_revenue_profiles",
    "max_share",
    "named_organisations_for",
    "order_by_revenue",
    "own_revenue_profiles",
    "own_votes",
    "protect_breakdown",
    "atoms",
    "best_cells",
    "choose_cells",
    "joined",
    "protect_value",
    "quote_attribution",
    "reason_for_viewer",
    "refresh",
    "requirement_moved",
    "released_revenue",
    "revenue_at_stake_for",
    "revenue_reason",
    "round_money",
    "round_order_statistic",
    "segment_totals",
    "threshold",
]
