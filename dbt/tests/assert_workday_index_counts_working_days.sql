-- workday_index rises by exactly one on a working day and stays on other days.
with ordered as (
    select
        calendar_date,
        is_workday,
        workday_index,
        lag(workday_index) over (order by calendar_date) as previous_index
    from {{ ref('int_workdays_indexed') }}
)

select *
from ordered
where
    previous_index is not null
    and workday_index - previous_index <> case when is_workday then 1 else 0 end
