{#- Every staff member as of as_of (DOMAIN.md §13): the team, post and active flag of the
    version in effect then, with team and unit names. The attribution of open items
    (reminders, the time-limit monitor) and of the ranked entities. -#}
with staff as (
    select * from {{ ref('stg_marketing__staff') }}
),

versions as (
    select * from {{ ref('int_staff_versions_unioned') }}
),

teams as (
    select * from {{ ref('stg_marketing__teams') }}
),

units as (
    select * from {{ ref('stg_marketing__supply_units') }}
),

final as (
    select
        staff.staff_id,
        versions.team_code,
        teams.unit_code,
        staff.staff_name,
        teams.team_name,
        units.unit_name,
        versions.post,
        versions.post = 'business' as is_business_staff,
        versions.post = 'collector' as is_collector,
        versions.is_active
    from staff
    inner join versions
        on
            staff.staff_id = versions.staff_id
            and {{ valid_at('versions', as_of()) }}
    left join teams
        on versions.team_code = teams.team_code
    left join units
        on teams.unit_code = units.unit_code
)

select * from final
