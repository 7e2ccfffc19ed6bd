{#- 人员班组历史: every recorded version of a staff member's team, post and active flag
    (history.staff, DOMAIN §13) with the names of the person, the team and its supply unit,
    so a person's page shows where they worked and since when without reading schema
    history itself. known_since is null for a row's first version (valid from the
    beginning), so a page prints "from the start" without knowing the beginning's date. -#}
with versions as (
    select * from {{ ref('history_staff') }}
),

staff as (
    select * from {{ ref('stg_marketing__staff') }}
),

teams as (
    select * from {{ ref('stg_marketing__teams') }}
),

units as (
    select * from {{ ref('stg_marketing__supply_units') }}
),

final as (
    select
        versions.staff_id,
        staff.staff_name,
        versions.team_code,
        teams.team_name,
        teams.unit_code,
        units.unit_name,
        versions.post,
        versions.is_active,
        versions.valid_from,
        versions.valid_to,
        case
            when versions.valid_from = {{ history_start() }} then cast(null as timestamp)
            else versions.valid_from
        end as known_since
    from versions
    left join staff on versions.staff_id = staff.staff_id
    left join teams on versions.team_code = teams.team_code
    left join units on teams.unit_code = units.unit_code
)

select * from final
