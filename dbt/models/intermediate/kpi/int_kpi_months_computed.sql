{#- The scored months whose figures this build computes: every month of
    int_kpi_months_enumerated except those it takes from schema frozen that an earlier
    build froze (DOMAIN.md §13). A final month's figures never change, so an hourly build
    computes only the provisional months and those it freezes itself. -#}
with months as (
    select * from {{ ref('int_kpi_months_enumerated') }}
),

taken as (
    select * from {{ ref('int_frozen_months_taken') }}
),

final as (
    select months.*
    from months
    left join taken
        on months.month = taken.month
    where taken.month is null or taken.frozen_at = {{ as_of() }}
)

select * from final
