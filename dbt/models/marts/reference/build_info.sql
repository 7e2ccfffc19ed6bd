{#- 构建信息: one row saying what the warehouse was computed as of, when and by which build
    and versions, and which years the official working-day calendar covers — so every page
    reads these from the warehouse instead of inferring them; and the scans folder the
    newest scan run read (scans_dir, absolute), where the dashboard finds the pages.
    built_at is dbt's start of the run in Asia/Shanghai, the zone of every timestamp in
    the warehouse. -#}
{%- set built_at = run_started_at.astimezone(modules.pytz.timezone('Asia/Shanghai')).strftime('%Y-%m-%d %H:%M:%S') -%}
with days as (
    select * from {{ ref('stg_calendar__days') }}
),

scan_runs as (
    select * from {{ ref('stg_scans__scan_runs') }}
),

last_scan_run as (
    select
        scans_dir,
        finished_at as scans_read_at
    from scan_runs
    order by started_at desc
    limit 1
),

years as (
    select
        extract(year from calendar_date) as calendar_year,
        bool_and(is_official) as is_official
    from days
    group by extract(year from calendar_date)
),

coverage as (
    select
        (select min(days.calendar_date) from days) as calendar_first_on,
        (select max(days.calendar_date) from days) as calendar_last_on,
        (
            select cast(max(years.calendar_year) as integer)
            from years
            where years.is_official
        ) as official_calendar_last_year,
        coalesce(
            (
                select bool_and(years.is_official) from years
                where years.calendar_year = extract(year from {{ as_of_date() }})
            ),
            false
        ) as is_as_of_year_covered,
        (
            select
                {{ dbt.listagg(
                    'cast(years.calendar_year as ' ~ dbt.type_string() ~ ')', "','", 'order by years.calendar_year'
                ) }}
            from years
            where not years.is_official
        ) as uncovered_years
),

final as (
    select
        {{ as_of() }} as as_of,
        cast('{{ built_at }}' as timestamp) as built_at,
        nullif('{{ var("build_version") }}', '') as version,
        nullif('{{ var("dangan_version") }}', '') as dangan_version,
        cast('{{ dbt_version }}' as {{ dbt.type_string() }}) as dbt_version,
        coverage.calendar_first_on,
        coverage.calendar_last_on,
        coverage.official_calendar_last_year,
        coverage.is_as_of_year_covered,
        coverage.uncovered_years,
        last_scan_run.scans_dir,
        last_scan_run.scans_read_at
    from coverage
    left join last_scan_run
        on true
)

select * from final
