with days as (
    select * from {{ ref('stg_calendar__days') }}
),

overrides as (
    select * from {{ ref('calendar_overrides') }}
),

corrected as (
    select
        days.calendar_date,
        days.is_official,
        coalesce(overrides.is_workday, days.is_workday) as is_workday
    from days
    left join overrides
        on days.calendar_date = overrides.calendar_date
),

final as (
    select
        calendar_date,
        is_workday,
        is_official,
        sum(case when is_workday then 1 else 0 end) over (
            order by calendar_date rows between unbounded preceding and current row
        ) as workday_index
    from corrected
)

select * from final
