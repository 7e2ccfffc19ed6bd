{#- Every supply unit, team and staff member with its display name, its place in the
    hierarchy and, for people, the post that decides the tier they are ranked in. The one
    list behind the ranked entities and the names every page shows. -#}
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
        'supply_unit' as entity_kind,
        unit_code as entity_id,
        unit_name as entity_name,
        unit_code,
        cast(null as {{ dbt.type_string() }}) as team_code,
        cast(null as {{ dbt.type_string() }}) as post,
        cast(null as boolean) as is_business_staff,
        cast(null as boolean) as is_collector,
        cast(null as boolean) as is_active
    from units
    union all
    select
        'team' as entity_kind,
        team_code as entity_id,
        team_name as entity_name,
        unit_code,
        team_code,
        cast(null as {{ dbt.type_string() }}) as post,
        cast(null as boolean) as is_business_staff,
        cast(null as boolean) as is_collector,
        cast(null as boolean) as is_active
    from teams
    union all
    select
        'person' as entity_kind,
        staff_id as entity_id,
        staff_name as entity_name,
        unit_code,
        team_code,
        post,
        is_business_staff,
        is_collector,
        is_active
    from staff
)

select * from final
