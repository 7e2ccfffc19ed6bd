-- Every indicator counts an item at most once per month.
select
    month,
    indicator,
    item_id,
    count(*) as row_count
from {{ ref('int_kpi_items_unioned') }}
group by month, indicator, item_id
having count(*) > 1
