{#- Every counted item of every indicator, one row per (month, indicator, item_id), with
    the unit, team and person it is attributed to (null where it does not count at that
    tier). A view: its one consumer (int_kpi_figures_computed) and its tests read the five
    item tables through it, where a table would copy every item (tens of millions of rows at
    prefecture scale) once more. -#}
{{ config(materialized='view') }}

with final as (
    select * from {{ ref('int_step_items_assessed') }}
    union all
    select * from {{ ref('int_process_items_assessed') }}
    union all
    select * from {{ ref('int_contract_items_assessed') }}
    union all
    select * from {{ ref('int_audit_items_assessed') }}
    union all
    select * from {{ ref('int_collection_items_assessed') }}
)

select * from final
