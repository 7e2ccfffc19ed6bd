{#- Every counted item of every indicator, one row per (month, indicator, item_id), with
    the unit, team and person it is attributed to (null where it does not count at that
    tier). -#}
with final as (
    select * from {{ ref('int_kpi__step_items') }}
    union all
    select * from {{ ref('int_kpi__process_items') }}
    union all
    select * from {{ ref('int_kpi__contract_items') }}
    union all
    select * from {{ ref('int_kpi__audit_items') }}
    union all
    select * from {{ ref('int_kpi__collection_items') }}
)

select * from final
