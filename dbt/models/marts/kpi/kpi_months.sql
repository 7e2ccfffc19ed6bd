{#- 考核月份: one row per scored month with its close status as of as_of (DOMAIN.md §8, §13):
    final (已结账) once as_of >= close_at, else provisional (未结账); frozen_at is when the
    month was frozen (null while not frozen). The dashboard labels months from here. -#}
with months as (
    select * from {{ ref('int_kpi_months_enumerated') }}
),

taken as (
    select * from {{ ref('int_frozen_months_taken') }}
),

final as (
    select
        months.month,
        case when months.is_provisional then 'provisional' else 'final' end as status,
        not months.is_provisional as is_final,
        months.close_at,
        months.cutoff_at,
        taken.frozen_at
    from months
    left join taken
        on months.month = taken.month
)

select * from final
