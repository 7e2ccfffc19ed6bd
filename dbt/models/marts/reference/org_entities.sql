{#- 组织对象: one row per supply unit, team and staff member with its display name and
    where it sits, so every page names an entity from one table. -#}
with units as (
    select * from {{ ref('stg_marketing__supply_units') }}
),

teams as (
    select * from {{ ref('stg_marketing__teams') }}
),

staff as (
    select * from {{ ref('int_staff_attributed') }}
),

unioned as (
    select
        'supply_unit' as entity_kind,
        unit_code as entity_id,
        unit_name as entity_name,
        unit_code,
        cast(null as {{ dbt.type_string() }}) as team_code,
        cast(null as {{ dbt.type_string() }}) as post,
        cast(null as boolean) as is_active,
    from units
    union all
    select
        'team' as entity_kind,
        team_code as entity_id,
        team_name as entity_name,
        unit_code,
        team_code,
        cast(null as {{ dbt.type_string() }}) as post,
        cast(null as boolean) as is_active,
    from teams
    union all
    select
        'person' as entity_kind,
        staff_id as entity_id,
        staff_name as entity_name,
        unit_code,
        team_code,
        post,
        is_active,
    from staff
),

final as (
    select
        entity_kind,
        entity_id,
        entity_name,
        unit_code,
        team_code,
        post,
        is_active,
    from unioned
)

select * from final
