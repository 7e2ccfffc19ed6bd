{#- The ranked entities of each tier with their place in the hierarchy: every supply unit,
    every team, business staff (tier staff) and archive collectors (tier collector). -#}
with units as (
    select * from {{ ref('stg_marketing__supply_units') }}
),

teams as (
    select * from {{ ref('stg_marketing__teams') }}
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

final as (
    select
        'supply_unit' as tier,
        unit_code as entity_id,
        unit_code,
        cast(null as varchar) as team_code,
        unit_name as entity_name,
    from units
    union all
    select
        'team' as tier,
        team_code as entity_id,
        unit_code,
        team_code,
        team_name as entity_name,
    from teams
    union all
    select
        case when is_business_staff then 'staff' else 'collector' end as tier,
        staff_id as entity_id,
        unit_code,
        team_code,
        staff_name as entity_name,
    from staff
    where is_business_staff or is_collector
)

select * from final
