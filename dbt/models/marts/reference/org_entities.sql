{#- 组织对象: one row per supply unit, team and staff member with its display name and
    where it sits, so every page names an entity from one table; short_name is the name a
    chart's axis shows (a unit's from the unit_short_names seed, else the full name). -#}
with entities as (
    select * from {{ ref('int_org_entities_listed') }}
),

short_names as (
    select * from {{ ref('unit_short_names') }}
),

final as (
    select
        entities.entity_kind,
        entities.entity_id,
        entities.entity_name,
        coalesce(short_names.short_name, entities.entity_name) as short_name,
        entities.unit_code,
        entities.team_code,
        entities.post,
        entities.is_active
    from entities
    left join short_names
        on entities.entity_kind = 'supply_unit' and entities.entity_id = short_names.unit_code
)

select * from final
