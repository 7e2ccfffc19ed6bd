-- kpi_monthly has one row per month, tier, entity and indicator.
select
    month,
    tier,
    entity_id,
    indicator,
    count(*) as row_count
from {{ ref('kpi_monthly') }}
group by month, tier, entity_id, indicator
having count(*) > 1
