{#- Working-day arithmetic on int_workdays_indexed (DOMAIN.md §5).
    workday_index(d) = count of working days up to and including d, so
    elapsed working days from s to e = workday_index(date(e)) - workday_index(date(s))
    (the start day never counts), and workday_add(d, n) = the working day whose index is
    workday_index(d) + n (the n-th working day strictly after d).
    Dates outside the calendar (2015-01-01 .. 31 Dec of the year after as_of) give null.
    The portable form is a scalar subquery per lookup, which DuckDB decorrelates into a
    join over the distinct values of the outer expression: for a timestamp column that is
    one row per distinct timestamp (1.9 M on jiaxing's steps). On DuckDB the calendar
    (one row per day, no gaps: test assert_calendar_has_every_day) is read once into lists
    instead and a date is looked up by its day number, the same values at an eighth of
    the CPU. -#}
{% macro workday_index(date_expr) -%}
    {{ return(adapter.dispatch('workday_index', 'dangan')(date_expr)) }}
{%- endmacro %}

{% macro default__workday_index(date_expr) -%}
    (select wd_idx.workday_index from {{ ref('int_workdays_indexed') }} as wd_idx where wd_idx.calendar_date = cast({{ date_expr }} as date))
{%- endmacro %}

{% macro duckdb__workday_index(date_expr) -%}
    {%- set first_day = "(select min(wd_first.calendar_date) from " ~ ref('int_workdays_indexed') ~ " as wd_first)" -%}
    (case when cast({{ date_expr }} as date) >= {{ first_day }} then list_extract((select list(wd_idx.workday_index order by wd_idx.calendar_date) from {{ ref('int_workdays_indexed') }} as wd_idx), date_diff('day', {{ first_day }}, cast({{ date_expr }} as date)) + 1) end)
{%- endmacro %}

{% macro elapsed_workdays(start_ts, end_ts) -%}
    ({{ workday_index(end_ts) }} - {{ workday_index(start_ts) }})
{%- endmacro %}

{% macro workday_add(date_expr, n) -%}
    {{ return(adapter.dispatch('workday_add', 'dangan')(date_expr, n)) }}
{%- endmacro %}

{% macro default__workday_add(date_expr, n) -%}
    {#- One correlated level only: a nested form (index of d inside the lookup) is not
        decorrelated by DuckDB and runs for hours on a million rows; this one is a join. -#}
    (select wd_to.calendar_date from {{ ref('int_workdays_indexed') }} as wd_from inner join {{ ref('int_workdays_indexed') }} as wd_to on wd_to.workday_index = wd_from.workday_index + ({{ n }}) and wd_to.is_workday where wd_from.calendar_date = cast({{ date_expr }} as date))
{%- endmacro %}

{#- The k-th working day of the calendar is the k-th element of the list of working days;
    k below 1 (before the first working day) gives null, as the portable form does. -#}
{% macro duckdb__workday_add(date_expr, n) -%}
    {%- set target = "(" ~ workday_index(date_expr) ~ " + (" ~ n ~ "))" -%}
    (case when {{ target }} >= 1 then list_extract((select list(wd_to.calendar_date order by wd_to.calendar_date) from {{ ref('int_workdays_indexed') }} as wd_to where wd_to.is_workday), cast({{ target }} as bigint)) end)
{%- endmacro %}

{#- Traffic light of a time-limited step (DOMAIN.md §7): red when elapsed > limit, yellow
    when elapsed >= ratio × limit (seed sla_yellow_ratio) and not red, else green. One
    definition for sla_monitor (as of as_of) and the monthly overdue indicators. -#}
{% macro sla_status(elapsed_expr, limit_expr) -%}
    case
        when ({{ elapsed_expr }}) > ({{ limit_expr }}) then 'red'
        when ({{ elapsed_expr }}) >= {{ threshold('sla_yellow_ratio') }} * ({{ limit_expr }}) then 'yellow'
        else 'green'
    end
{%- endmacro %}

{#- Hours between two timestamps as a fraction (seconds / 3600), portable enough and exact
    at the 48 h boundary: 48 h + 1 s is 48.0003 > 48. -#}
{% macro hours_between(start_ts, end_ts) -%}
    ({{ dbt.datediff(start_ts, end_ts, 'second') }} / 3600.0)
{%- endmacro %}
