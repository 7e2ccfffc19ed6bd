{#- 组织对象: one row per supply unit, team and staff member with its display name and
    where it sits, so every page names an entity from one table. -#}
with entities as (
    select * from {{ ref('int_org_entities_listed') }}
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
    from entities
)

select * from final
