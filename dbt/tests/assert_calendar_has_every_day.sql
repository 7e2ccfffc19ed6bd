-- The working-day calendar has one row per day from its first to its last date, no gaps:
-- the DuckDB form of the working-day macros looks a date up by its day number.
select
    count(*) as day_rows,
    {{ dbt.datediff('min(calendar_date)', 'max(calendar_date)', 'day') }} + 1 as days_spanned
from {{ ref('int_workdays_indexed') }}
having count(*) != {{ dbt.datediff('min(calendar_date)', 'max(calendar_date)', 'day') }} + 1
