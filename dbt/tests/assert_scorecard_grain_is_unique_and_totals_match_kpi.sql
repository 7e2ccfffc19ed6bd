-- scorecard_monthly has one row per month, tier and entity, and its total is the sum of the
-- entity's scores over its applicable weights x 100 in kpi_monthly, rounded to 2 decimals:
-- within half a hundredth of the unrounded ratio (a hair more for the doubles summed here).
with kpi as (
    select
        month,
        tier,
        entity_id,
        sum(score) / sum(weight) * 100 as expected_total
    from {{ ref('kpi_monthly') }}
    group by month, tier, entity_id
    having sum(weight) > 0
),

scorecard as (
    select
        month,
        tier,
        entity_id,
        count(*) over (partition by month, tier, entity_id) as row_count,
        total_score
    from {{ ref('scorecard_monthly') }}
)

select
    coalesce(kpi.month, scorecard.month) as month,
    coalesce(kpi.tier, scorecard.tier) as tier,
    coalesce(kpi.entity_id, scorecard.entity_id) as entity_id,
    kpi.expected_total,
    scorecard.total_score,
    scorecard.row_count
from kpi
full outer join scorecard
    on
        kpi.month = scorecard.month
        and kpi.tier = scorecard.tier
        and kpi.entity_id = scorecard.entity_id
where
    scorecard.row_count > 1
    or kpi.expected_total is null
    or scorecard.total_score is null
    or abs(kpi.expected_total - scorecard.total_score) > 0.005 + 1e-9
