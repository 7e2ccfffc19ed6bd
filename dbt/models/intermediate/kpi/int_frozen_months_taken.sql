{#- The months a build takes from schema frozen (DOMAIN.md §13): frozen, and final as of
    this build's as_of. Every other month is computed. -#}
with months as (
    select * from {{ ref('int_kpi_months_enumerated') }}
),

frozen_months as (
    select * from {{ ref('frozen_months') }}
),

final as (
    select
        frozen_months.month,
        frozen_months.frozen_at
    from frozen_months
    inner join months
        on frozen_months.month = months.month
    where not months.is_provisional
)

select * from final
