{#- The scored months: from the first month with data to the as_of month. For month M
    cutoff(M) = min(as_of, first day of M+1 + close_lag_days); the month is provisional
    while as_of is before first day of M+1 + lag. Contract validity is evaluated on
    min(as_of date, last day of M). -#}
with steps as (
    select * from {{ ref('stg_marketing__process_steps') }}
),

archive_steps as (
    select * from {{ ref('stg_archive__archive_steps') }}
),

audit_checks as (
    select * from {{ ref('stg_archive__audit_checks') }}
),

event_months as (
    select {{ dbt.date_trunc('month', 'completed_at') }} as month from steps
    where completed_at <= {{ as_of() }}
    union all
    select {{ dbt.date_trunc('month', 'sent_at') }} as month from archive_steps
    where sent_at <= {{ as_of() }}
    union all
    select {{ dbt.date_trunc('month', 'checked_at') }} as month from audit_checks
    where checked_at <= {{ as_of() }}
),

bounds as (
    select
        cast(min(month) as date) as first_month,
        cast({{ dbt.date_trunc('month', as_of_date()) }} as date) as last_month
    from event_months
    having count(*) > 0
),

spine as (
    select cast(series.month_start as date) as month
    from bounds
    {{ month_series_join('bounds.first_month', 'bounds.last_month', 'series', 'month_start') }}
),

final as (
    select
        month,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month')) }} as date) as month_end_on,
        cast({{ dbt.dateadd('month', 1, 'month') }} as timestamp) as next_month_at,
        cast(
            {{ dbt.dateadd('day', threshold('close_lag_days', 'integer'), dbt.dateadd('month', 1, 'month')) }}
            as timestamp
        ) as close_at
    from spine
)

select
    month,
    month_end_on,
    least(month_end_on, {{ as_of_date() }}) as evaluated_on,
    next_month_at,
    close_at,
    least(close_at, {{ as_of() }}) as cutoff_at,
    {{ as_of() }} < close_at as is_provisional
from final
