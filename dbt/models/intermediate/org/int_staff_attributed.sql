with staff as (
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
        staff.staff_id,
        staff.team_code,
        teams.unit_code,
        staff.staff_name,
        teams.team_name,
        units.unit_name,
        staff.post,
        staff.post = 'business' as is_business_staff,
        staff.post = 'collector' as is_collector,
        staff.is_active,
    from staff
    left join teams
        on staff.team_code = teams.team_code
    left join units
        on teams.unit_code = units.unit_code
)

select * from final
